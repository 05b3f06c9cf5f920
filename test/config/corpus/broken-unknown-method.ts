import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'FETCH' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
    {
      trigger: { type: 'api', endpoint: '/api/y', method: ['POST', 'PSOT'] },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
