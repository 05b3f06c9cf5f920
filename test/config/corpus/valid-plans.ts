import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  plans: {
    pro: { prices: ['price_1PRO', 'pro_monthly'] },
    team: { prices: ['price_1TEAM'] },
  },
  steps: [
    {
      id: 'ai-completions',
      trigger: { type: 'api', endpoint: '/ai/complete', method: 'POST' },
      condition: { type: 'usage', limit: { free: 20, paid: 200, pro: 2000, team: Infinity }, period: '1d' },
      action: { type: 'block', message: 'Upgrade for more completions.' },
    },
  ],
});
