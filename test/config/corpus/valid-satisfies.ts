import type { LoopConfig } from '@skene/sdk';

export default {
  type: 'freemium',
  steps: [
    {
      id: 'exports',
      trigger: { type: 'api', endpoint: '/exports/{export_id}/download/', method: 'GET' },
      condition: { type: 'usage', limit: { free: 0, paid: 1000 }, period: '1w' },
      action: { type: 'block', message: 'Downloads are a paid feature.' },
    },
  ],
  recovery: { retries: 2 },
} satisfies LoopConfig;
