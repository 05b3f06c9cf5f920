import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: -5, paid: 2.5 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
  recovery: { retries: 1.5 },
});
