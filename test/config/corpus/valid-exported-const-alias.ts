import { defineLoop as loop } from 'skene';

const LIMITS = { free: 10, paid: Infinity } as const;
const period = '1d';

const config = loop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/v2/**', method: 'DELETE' },
      condition: { type: 'usage', limit: LIMITS, period },
      action: { type: 'block', message: 'Upgrade to delete more.' },
    },
  ],
});

export default config;
