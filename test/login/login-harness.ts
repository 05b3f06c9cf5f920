import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import type { CliContext } from '../../src/cli-context.js';
import type { Prompter } from '../../src/ui/prompts.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ScriptedPrompter extends Prompter {
  /** Every question asked, in order: `password: <message>` / `confirm: <message>`. */
  asked: string[];
}

/**
 * A prompt adapter answering from a script, like a person would. A validate() that refuses an answer
 * makes it move on to the next scripted answer, as inquirer re-asks. Asking more than scripted fails.
 */
export function scriptedPrompter(script: { passwords?: string[]; confirms?: boolean[] }): ScriptedPrompter {
  const passwords = [...(script.passwords ?? [])];
  const confirms = [...(script.confirms ?? [])];
  const asked: string[] = [];
  const unexpected = (kind: string, message: string): never => {
    throw new Error(`unexpected ${kind} question: ${message}`);
  };
  return {
    interactive: true,
    asked,
    async input(q) {
      return unexpected('input', q.message);
    },
    async password(q) {
      asked.push(`password: ${q.message}`);
      for (;;) {
        const answer = passwords.shift();
        if (answer === undefined) return unexpected('password', q.message);
        const verdict = q.validate?.(answer) ?? true;
        if (verdict === true) return answer;
        asked.push(`refused: ${verdict}`);
      }
    },
    async confirm(q) {
      asked.push(`confirm: ${q.message}`);
      const answer = confirms.shift();
      if (answer === undefined) return unexpected('confirm', q.message);
      return answer;
    },
    async select(q) {
      return unexpected('select', q.message);
    },
  };
}

export async function makeTempHome(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'skene-login-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `skene <args>` in-process with captured streams and the given environment (nothing from process.env). */
export async function runSkene(
  args: string[],
  options: {
    env: NodeJS.ProcessEnv;
    stdinIsTTY?: boolean;
    prompter?: Prompter;
    openUrl?: (url: string) => Promise<void>;
  },
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    env: options.env,
    cwd: process.cwd(),
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
    stdinIsTTY: options.stdinIsTTY ?? false,
    exitCode: 0,
    overrides: {
      ...(options.prompter ? { prompter: options.prompter } : {}),
      // No test ever starts a browser: without an explicit opener, opening "fails" and the URL is printed.
      openUrl:
        options.openUrl ??
        (async () => {
          throw new Error('no browser in tests');
        }),
    },
  };
  const code = await runCli(['node', 'skene', ...args], ctx);
  return { code, stdout, stderr };
}
