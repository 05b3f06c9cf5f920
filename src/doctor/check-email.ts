import type { NormalizedLoop } from '../config/types.js';
import { isProjectFile, joinPosix } from './read-project-file.js';
import { type Check, fail, pass, type RuntimePlace } from './types.js';

/** The upgrade prompt: provider resend, and the template file the runtime renders from. */
export function checkEmail(input: {
  root: string;
  configFile: string;
  loop: NormalizedLoop;
  runtime: RuntimePlace | undefined;
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
    if (!input.runtime) continue;
    const template = joinPosix(input.runtime.dir, 'emails', `${prompt.template}.html`);
    if (isProjectFile(input.root, template)) {
      checks.push(pass('email.template', `step "${step.id}": template ${template} exists`, { file: template }));
    } else {
      checks.push(
        fail(
          'email.template',
          `step "${step.id}": email template ${template} is missing`,
          'Run `skene generate` to create it (it is yours to edit afterwards).',
          {
            file: template,
          },
        ),
      );
    }
  }
  return checks;
}
