import { defineLoop } from 'skene';
import { MESSAGE } from './messages';

let limit = 100;

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/x', method: 'POST' },
      condition: { type: 'usage', limit: { free: limit }, period: '1d' },
      action: { type: 'block', message: MESSAGE },
    },
  ],
});
