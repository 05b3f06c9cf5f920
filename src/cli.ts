import { Command, CommanderError } from 'commander';
import { type CliContext, defaultContext } from './cli-context.js';
import { analyzeCommand } from './commands/analyze.js';
import { doctorCommand } from './commands/doctor.js';
import { generateCommand } from './commands/generate.js';
import { initCommand } from './commands/init.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { statsCommand } from './commands/stats.js';
import { syncCommand } from './commands/sync.js';
import { verifyCommand } from './commands/verify.js';
import { whoamiCommand } from './commands/whoami.js';
import { ExitCode, SkeneError } from './errors.js';
import { createLogger } from './ui/logger.js';
import { skeneVersion } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (a check failed, an error occurred)
  2    usage error (bad flag, missing argument or answer)
  130  cancelled (Ctrl-C at a prompt)`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('skene')
    .description('Freemium gating for FastAPI + Stripe apps.')
    .version(skeneVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (text) => void ctx.stdout.write(text),
      writeErr: (text) => void ctx.stderr.write(text),
    });
  for (const command of [
    loginCommand(ctx),
    logoutCommand(ctx),
    whoamiCommand(ctx),
    analyzeCommand(ctx),
    initCommand(ctx),
    generateCommand(ctx),
    doctorCommand(ctx),
    syncCommand(ctx),
    verifyCommand(ctx),
    statsCommand(ctx),
  ]) {
    program.addCommand(command);
  }
  // Commander calls process.exit by default; every command (and subcommand) throws instead.
  const exitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

function isPromptCancel(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

/** True when the command line asks for JSON (`--json` before any `--`): errors are then a JSON document too. */
function wantsJson(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

/** The command named on the command line (`doctor` in `skene doctor --jsn`), for the usage hint. */
function commandOf(program: Command, argv: readonly string[]): string | undefined {
  const names = new Set(program.commands.map((c) => c.name()));
  return argv.slice(2).find((arg) => names.has(arg));
}

/** PRODUCT.md §1: with --json, an error is one document on stdout, `{"ok": false, "error": {...}}`. */
function writeJsonError(
  ctx: CliContext,
  error: {
    message: string;
    hint?: string | undefined;
    exitCode: number;
    details?: Record<string, unknown> | undefined;
  },
): void {
  const document = {
    ok: false,
    ...(error.details ?? {}),
    error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: error.exitCode },
  };
  ctx.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

/** Runs skene with `argv` (node, script, ...args) and returns the exit code. Never calls process.exit. */
export async function runCli(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  const program = buildProgram(ctx);
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const json = wantsJson(argv);
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.ok;
      }
      // Commander already printed its message on stderr.
      if (json) {
        const command = commandOf(program, argv);
        writeJsonError(ctx, {
          message: error.message.replace(/^error: /, ''),
          hint: `Run \`skene ${command ? `${command} ` : ''}--help\` for usage.`,
          exitCode: ExitCode.usage,
        });
      }
      return ExitCode.usage;
    }
    if (isPromptCancel(error)) {
      logger.warn('Cancelled.');
      if (json) writeJsonError(ctx, { message: 'Cancelled.', exitCode: ExitCode.cancelled });
      return ExitCode.cancelled;
    }
    if (error instanceof SkeneError) {
      logger.error(error.message);
      if (error.hint) ctx.stderr.write(`  ${logger.palette.dim(error.hint)}\n`);
      if (json) writeJsonError(ctx, error);
      return error.exitCode;
    }
    logger.error(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    logger.info('This is a bug in skene; please report it with the output above.');
    if (json) {
      writeJsonError(ctx, {
        message: `Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
        hint: 'This is a bug in skene; please report it with the output on stderr.',
        exitCode: ExitCode.failure,
      });
    }
    return ExitCode.failure;
  }
}
