import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30d' },
      action: { type: 'block', message: 'Upgrade to continue.' },
      retry: 3,
    },
  ],
  recovery: { retries: 0 },
});
