import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30d' },
      action: { type: 'block', message: "You've reached your free tier limit. Upgrade to continue." },
    },
  ],
  recovery: { retries: 0 },
});
