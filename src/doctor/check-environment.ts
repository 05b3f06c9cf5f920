import type { AnalysisResult } from '../analyze/types.js';
import type { NormalizedLoop } from '../config/types.js';
import { RUNTIME_ENV } from '../generate/runtime-contract.js';
import { isTrackedByGit } from './read-dotenv.js';
import { type Check, type DotenvEntry, fail, pass, warn } from './types.js';

const SECRET_NAME = /SECRET|API_KEY|_KEY$|TOKEN|PASSWORD/i;

interface Setting {
  id: string;
  /** Any one of these names satisfies the setting. */
  names: string[];
  why: string;
  severity: 'fail' | 'warn';
}

function settingsNeeded(loop: NormalizedLoop | undefined, analysis: AnalysisResult | undefined): Setting[] {
  const appWebhook = analysis?.stripe.webhooks.length ? analysis.stripe.webhookSecretEnv : [];
  const settings: Setting[] = [
    {
      id: 'env.stripe-webhook-secret',
      names: appWebhook.length > 0 ? appWebhook : [RUNTIME_ENV.webhookSecret],
      why: 'verifies Stripe webhook signatures; without it no subscription reaches skene',
      severity: 'fail',
    },
  ];
  const emails = loop?.steps.some((step) => step.action.upgradePrompt !== undefined) ?? false;
  if (emails) {
    settings.push(
      {
        id: 'env.resend-api-key',
        names: [RUNTIME_ENV.resendApiKey],
        why: 'sends the upgrade prompt email',
        severity: 'fail',
      },
      {
        id: 'env.email-from',
        names: [RUNTIME_ENV.emailFrom],
        why: 'the sender of the upgrade prompt email',
        severity: 'fail',
      },
    );
  }
  if (loop?.steps.some((step) => step.action.upgradeUrl === undefined)) {
    settings.push({
      id: 'env.upgrade-url',
      names: ['SKENE_UPGRADE_URL'],
      why: 'the upgrade link in the 402 answer for steps without action.upgradeUrl',
      severity: 'warn',
    });
  }
  return settings;
}

/**
 * The runtime's settings in the environment or a `.env` file (names only; values are never printed),
 * and `.env` files holding secrets that git tracks.
 */
export function checkEnvironment(input: {
  root: string;
  env: NodeJS.ProcessEnv;
  dotenv: DotenvEntry[];
  loop: NormalizedLoop | undefined;
  analysis: AnalysisResult | undefined;
  isTracked?: (root: string, file: string) => boolean;
}): Check[] {
  const checks: Check[] = [];
  for (const setting of settingsNeeded(input.loop, input.analysis)) {
    const fromEnv = setting.names.find((name) => (input.env[name] ?? '') !== '');
    const fromFile = input.dotenv.find((entry) => entry.hasValue && setting.names.includes(entry.name));
    if (fromEnv) {
      checks.push(pass(setting.id, `${fromEnv} is set in the environment`));
    } else if (fromFile) {
      checks.push(
        pass(setting.id, `${fromFile.name} is set in ${fromFile.file}`, { file: fromFile.file, line: fromFile.line }),
      );
    } else {
      const names = setting.names.join(' or ');
      const make = setting.severity === 'fail' ? fail : warn;
      checks.push(
        make(
          setting.id,
          `${names} is not set (${setting.why})`,
          `Set ${names} in the app's environment or its .env file.`,
        ),
      );
    }
  }
  checks.push(...checkTrackedDotenv(input.root, input.dotenv, input.isTracked ?? isTrackedByGit));
  return checks;
}

function checkTrackedDotenv(
  root: string,
  dotenv: DotenvEntry[],
  isTracked: (root: string, file: string) => boolean,
): Check[] {
  const files = [...new Set(dotenv.map((entry) => entry.file))];
  const checks: Check[] = [];
  for (const file of files) {
    const secrets = dotenv.filter((entry) => entry.file === file && entry.hasValue && SECRET_NAME.test(entry.name));
    if (secrets.length === 0 || !isTracked(root, file)) continue;
    checks.push(
      fail(
        'env.dotenv-tracked',
        `${file} holds secrets (${secrets.map((entry) => entry.name).join(', ')}) and is tracked by git`,
        `Run \`git rm --cached ${file}\`, add ${file} to .gitignore, and rotate those secrets.`,
        { file, line: secrets[0]?.line },
      ),
    );
  }
  if (checks.length === 0 && files.length > 0) {
    checks.push(pass('env.dotenv-tracked', `no .env file with secrets is tracked by git (${files.join(', ')})`));
  }
  return checks;
}
