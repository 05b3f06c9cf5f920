import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      id: 'features',
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30d' },
      action: { type: 'block', message: 'Upgrade to continue.' },
    },
    {
      id: 'features',
      trigger: { type: 'api', endpoint: '/api/reports/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 10, paid: Infinity }, period: '1d' },
      action: { type: 'block', message: 'Upgrade to continue.' },
    },
  ],
  recovery: { retries: 0 },
});
