import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  stesp: [],
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', methd: 'POST' },
      condition: { type: 'usage', limt: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'No more.', upgradeURL: '/pricing' },
      failopen: false,
    },
  ],
  recovery: { retry: 1 },
});
