import { UsageError } from '../errors.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

/**
 * Questions, interactive or not. A workflow resolves each answer from its flag, then `--yes` defaults,
 * and only then asks; the non-interactive prompter turns "ask" into a usage error naming the flag.
 */
export interface Prompter {
  readonly interactive: boolean;
  input(q: {
    message: string;
    default?: string;
    flag: string;
    validate?: (value: string) => true | string;
  }): Promise<string>;
  password(q: { message: string; flag: string; validate?: (value: string) => true | string }): Promise<string>;
  confirm(q: { message: string; default?: boolean; flag: string }): Promise<boolean>;
  select<T>(q: { message: string; choices: Choice<T>[]; default?: T; flag: string }): Promise<T>;
}

export function canPrompt(options: { stdinIsTTY: boolean; yes?: boolean; env: NodeJS.ProcessEnv }): boolean {
  return options.stdinIsTTY && options.yes !== true && !options.env.CI;
}

export function createNonInteractivePrompter(): Prompter {
  const refuse = (message: string, flag: string): never => {
    throw new UsageError(`No answer for "${message}" and no terminal to ask on.`, `Pass ${flag}.`);
  };
  return {
    interactive: false,
    input: async (q) => refuse(q.message, q.flag),
    password: async (q) => refuse(q.message, q.flag),
    confirm: async (q) => refuse(q.message, q.flag),
    select: async (q) => refuse(q.message, q.flag),
  };
}

/** @inquirer/prompts is loaded only when a question is really asked. */
export function createInquirerPrompter(): Prompter {
  return {
    interactive: true,
    async input(q) {
      const { input } = await import('@inquirer/prompts');
      return input({ message: q.message, default: q.default, validate: q.validate });
    },
    async password(q) {
      const { password } = await import('@inquirer/prompts');
      return password({ message: q.message, mask: '•', validate: q.validate });
    },
    async confirm(q) {
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message: q.message, default: q.default });
    },
    async select<T>(q: { message: string; choices: Choice<T>[]; default?: T; flag: string }) {
      const { select } = await import('@inquirer/prompts');
      return select<T>({ message: q.message, choices: q.choices, default: q.default });
    },
  };
}

export function createPrompter(options: {
  stdinIsTTY: boolean;
  yes?: boolean;
  env: NodeJS.ProcessEnv;
  override?: Prompter;
}): Prompter {
  if (options.override) return options.override;
  return canPrompt(options) ? createInquirerPrompter() : createNonInteractivePrompter();
}
