import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [],
  recovery: { retries: -1 },
});
