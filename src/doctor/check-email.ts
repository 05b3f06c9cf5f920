import type { NormalizedLoop, NormalizedStep } from '../config/types.js';
import { warningTemplateName } from '../generate/build-runtime-files.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import { isProjectFile, joinPosix } from './read-project-file.js';
import { type Check, fail, pass } from './types.js';

/** The upgrade prompt: provider resend, and the template files the runtime renders from (the prompt's, and
 * the warning's for a step with `action.warnAt`, whose share must lie strictly between 0 and 1). */
export function checkEmail(input: {
  root: string;
  configFile: string;
  loop: NormalizedLoop;
  runtime: RuntimeLocation | undefined;
}): Check[] {
  const prompts = input.loop.steps.flatMap((step) =>
    step.action.upgradePrompt ? [{ step, prompt: step.action.upgradePrompt }] : [],
  );
  if (prompts.length === 0) return [pass('email.provider', 'no step sends an upgrade prompt email')];
  const checks: Check[] = [];
  for (const { step, prompt } of prompts) {
    if (prompt.provider !== 'resend') {
      checks.push(
        fail(
          'email.provider',
          `step "${step.id}": email provider "${String(prompt.provider)}" is not supported`,
          `Set upgradePrompt.provider to 'resend' in ${input.configFile}.`,
          {
            file: input.configFile,
          },
        ),
      );
    } else {
      checks.push(pass('email.provider', `step "${step.id}": upgrade prompt by email through Resend`));
    }
    if (step.action.warnAt !== undefined) checks.push(checkWarnShare(step, step.action.warnAt, input.configFile));
    if (!input.runtime) continue;
    const names = [
      prompt.template,
      ...(step.action.warnAt === undefined ? [] : [warningTemplateName(prompt.template)]),
    ];
    for (const name of names) {
      const template = joinPosix(input.runtime.dir, 'emails', `${name}.html`);
      const what = name === prompt.template ? 'email template' : 'warning email template';
      if (isProjectFile(input.root, template)) {
        checks.push(pass('email.template', `step "${step.id}": ${what} ${template} exists`, { file: template }));
      } else {
        checks.push(
          fail(
            'email.template',
            `step "${step.id}": ${what} ${template} is missing`,
            'Run `skene generate` to create it (it is yours to edit afterwards).',
            {
              file: template,
            },
          ),
        );
      }
    }
  }
  return checks;
}

function checkWarnShare(step: NormalizedStep, share: number, configFile: string): Check {
  if (share > 0 && share < 1) {
    const free = step.condition.limit.free;
    const at =
      free === null || free === undefined ? '' : ` (at ${Math.max(1, Math.ceil(share * free - 1e-9))} of ${free} free)`;
    return pass(
      'email.warn-at',
      `step "${step.id}": one warning email per window at ${share * 100}% of the limit${at}`,
    );
  }
  return fail(
    'email.warn-at',
    `step "${step.id}": warnAt ${share} is not a share strictly between 0 and 1`,
    `Set action.warnAt to a share such as 0.8 in ${configFile}.`,
    { file: configFile },
  );
}
