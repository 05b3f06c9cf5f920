import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  plans: {
    pro: { prices: ['price_1PRO'] },
    paid: { prices: ['price_1PAID'] },
    team: { prices: [] },
  },
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1, por: 10, enterprise: 100 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
