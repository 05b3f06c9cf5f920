export { defineLoop } from './define-loop.js';
export type {
  ApiTrigger,
  BlockAction,
  EmailUpgradePrompt,
  LoopConfig,
  LoopHttpMethod,
  LoopPeriod,
  LoopPlan,
  LoopPlanSource,
  LoopRecovery,
  LoopStep,
  UsageCondition,
  UsageLimits,
} from './loop-types.js';
