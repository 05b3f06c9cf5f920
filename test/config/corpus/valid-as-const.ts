import { defineLoop } from 'skene';

const loop = {
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/reports/**', method: ['post', 'PUT'] },
      condition: { type: 'usage', limit: { free: 5 }, period: '12h' },
      action: { type: 'block', message: 'Upgrade to keep generating reports.' },
    },
  ],
} as const;

export default defineLoop(loop);
