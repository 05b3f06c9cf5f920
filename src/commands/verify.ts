import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const HELP = `
This command runs your code: it imports your app and runs the gate tests init
generated (test_skene_gate.py in your tests) with your app's Python: the active virtualenv (VIRTUAL_ENV),
.venv/ or venv/, poetry's or uv's environment, else python3 on PATH. The tests drive the app in-process
(TestClient) with a synthetic free user, a temporary SQLite store, a local Resend-shaped server on
127.0.0.1 and signed Stripe events; nothing leaves your machine. Apart from skene sync (which imports your
app's database and user modules to write skene's rows), every other command only reads your code.

Each check prints ✓ (passed), ✗ (failed, with the reason) or ⚠ (skipped: what this environment cannot do).
The same file runs under plain pytest, so keep it in your CI.

Examples:
  $ skene verify                       the project in the current folder
  $ skene verify backend/ --json       one JSON document: {"ok", "testFile", "python", "checks": [...]}

Exit codes:
  0    every check that ran passed (and at least one ran)
  1    a check failed, or nothing could be proved
  2    usage error (bad flag, no such folder)`;

export function verifyCommand(ctx: CliContext): Command {
  return new Command('verify')
    .description(
      "Prove the gate in your own app: run skene's generated gate tests with the app's Python (it runs your code).",
    )
    .argument('[dir]', 'project folder', '.')
    .option(
      '--json',
      'print one JSON document on stdout: {"ok", "testFile", "python", "stale", "checks": [{"id", "step"?, "title", "status": "pass"|"fail"|"skip", "reason"?}], "summary"}',
    )
    .addHelpText('after', HELP)
    .action(async (dir: string, options: { json?: boolean }) => {
      const { runVerifyCommand } = await import('../workflows/verify.js');
      ctx.exitCode = await runVerifyCommand({ dir, json: options.json === true }, ctx);
    });
}
