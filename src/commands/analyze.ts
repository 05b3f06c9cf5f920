import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const EXAMPLES = `
Examples:
  $ skene analyze                       the project in the current folder
  $ skene analyze backend/              a repository whose Python lives in backend/
  $ skene analyze --json | jq '.routes[] | "\\(.method) \\(.path)"'

Diagnostics (file:line message) go to stderr; with --json they are in the document.

Exit codes:
  0    analyzed (what could not be resolved is in the diagnostics)
  1    failure (an error occurred while reading the project)
  2    usage error (bad flag, no such folder); with --json, {"ok": false, "error": {...}} on stdout`;

export function analyzeCommand(ctx: CliContext): Command {
  return new Command('analyze')
    .description('Show what skene sees in a FastAPI project: apps, routes with full paths, Stripe, auth, database.')
    .argument('[dir]', 'project folder', '.')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', EXAMPLES)
    .action(async (dir: string, options: { json?: boolean }) => {
      const { runAnalyzeCommand } = await import('../workflows/analyze.js');
      ctx.exitCode = await runAnalyzeCommand({ dir, json: options.json === true }, ctx);
    });
}
