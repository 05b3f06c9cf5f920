import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium'
  opinion: 'Enforce usage limits for free tier users and trigger upgrade prompts',
  steps: [
    {
      id: 'reports-api', // optional; derived from the endpoint if absent
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30d' },
      action: {
        type: 'block',
        message: "You've reached your free tier limit. Upgrade to continue.",
        upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' },
      },
    },
  ],
  recovery: { retries: 0 },
});
