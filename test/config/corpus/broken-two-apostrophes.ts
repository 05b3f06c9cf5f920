import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  opinion: 'Don't let free users run up our bill',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'You've used your plan's free quota.' },
    },
  ],
});
