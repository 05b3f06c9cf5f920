import { defineLoop } from 'skene';

export default defineLoop({
  type: 'premium',
  steps: [
    {
      id: 'bad id!',
      trigger: { type: 'webhook', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: '  ', upgradeUrl: 'pricing page' },
      mode: 'shadw',
    },
  ],
});
