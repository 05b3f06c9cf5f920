import { defineLoop } from '@skene/sdk';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/search', method: 'GET' },
      condition: { type: 'usage', limit: { free: 50 }, period: '60m' },
      action: { type: 'block', message: 'Search limit reached.', upgradeUrl: 'https://example.com/pricing' },
      mode: 'shadow',
      failOpen: false,
    },
    {
      trigger: { type: 'api', endpoint: '/api/search', method: 'GET' },
      condition: { type: 'usage', limit: { free: 500 }, period: '1w' },
      action: { type: 'block', message: 'Weekly search limit reached.', upgradeUrl: '/pricing' },
      mode: 'enforce',
      failOpen: true,
    },
  ],
});
