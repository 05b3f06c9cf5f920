import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'FETCH' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30d' },
      action: { type: 'block', message: 'Upgrade to continue.' },
    },
  ],
  recovery: { retries: 0 },
});
