import { defineLoop, type LoopStep } from 'skene';

const FREE_LIMIT = 100;
const PERIOD = '30d';
const MESSAGE = "You've used all " + FREE_LIMIT + ' free requests.';
const prompt = { type: 'email', provider: 'resend', template: 'upgrade_prompt' } as const;
const base = {
  condition: { type: 'usage', limit: { free: FREE_LIMIT, paid: Number.POSITIVE_INFINITY }, period: PERIOD },
  action: { type: 'block', message: MESSAGE, upgradePrompt: prompt },
} satisfies Omit<LoopStep, 'trigger'>;

export default defineLoop({
  type: 'freemium',
  steps: [
    { ...base, trigger: { type: 'api', endpoint: `/api/v${1}/items`, method: 'POST' } },
    { ...base, trigger: { type: 'api', endpoint: '/api/v1/items/*', method: '*' } },
  ],
});
