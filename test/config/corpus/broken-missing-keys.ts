import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x' },
      condition: { type: 'usage', limit: { free: 1 } },
    },
  ],
});
