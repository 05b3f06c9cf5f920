import { defineLoop } from 'skene';

function freeLimit(): number {
  return 100;
}

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: freeLimit() }, period: '1d' },
      action: { type: 'block', message: 'No more.' },
    },
  ],
});
