import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      id: 'features',
      trigger: { type: 'api', endpoint: '/api/a', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
    {
      id: 'features',
      trigger: { type: 'api', endpoint: '/api/b', method: 'POST' },
      condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
