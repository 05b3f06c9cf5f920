import { defineLoop } from "@skene/sdk";

const period: string = '30d';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
