import { defineLoop } from 'skene';

export const loop = defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
