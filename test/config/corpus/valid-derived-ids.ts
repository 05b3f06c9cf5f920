import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      id: 'api-items-post',
      trigger: { type: 'api', endpoint: '/api/items/{item_id}', method: 'PATCH' },
      condition: { type: 'usage', limit: { free: 3 }, period: '1d' },
      action: { type: 'block', message: 'No more edits today.' },
    },
    {
      trigger: { type: 'api', endpoint: '/api/items/', method: 'post' },
      condition: { type: 'usage', limit: { free: 3 }, period: '1d' },
      action: { type: 'block', message: 'No more items today.' },
    },
    {
      trigger: { type: 'api', endpoint: '/**', method: '*' },
      condition: { type: 'usage', limit: { free: 1000, paid: Infinity }, period: '1d' },
      action: { type: 'block', message: 'Daily request budget used.' },
    },
  ],
});
