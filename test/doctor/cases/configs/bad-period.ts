import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30 days' },
      action: { type: 'block', message: 'Upgrade to continue.' },
    },
  ],
  recovery: { retries: 0 },
});
