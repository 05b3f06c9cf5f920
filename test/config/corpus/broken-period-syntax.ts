import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/a', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '30 days' },
      action: { type: 'block', message: 'No more.' },
    },
    {
      trigger: { type: 'api', endpoint: '/api/b', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '0d' },
      action: { type: 'block', message: 'No more.' },
    },
    {
      trigger: { type: 'api', endpoint: '/api/c', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1y' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
