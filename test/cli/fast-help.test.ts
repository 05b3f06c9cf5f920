/**
 * bin/skene.js answers `--help`, `<command> --help`, `help <command>` and `--version` from dist/lib/help.json
 * (bin/help.js) without loading the CLI bundle. Its answers must be commander's, byte for byte, at every width:
 * the pages are rendered here by commander itself (the built program, dist/lib/cli.js) and by bin/help.js.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import type { Command } from 'commander';
import type { CliContext } from '../../src/cli-context.js';
import { repoRoot, runNode, runSkene } from './helpers.js';

const require = createRequire(import.meta.url);
const help = require(join(repoRoot, 'bin/help.js')) as {
  renderPage(parts: unknown[], width: number): string;
  fastAnswer(args: string[], root: string, width: number): string | undefined;
};
const cliUrl = pathToFileURL(join(repoRoot, 'dist/lib/cli.js')).href;
const pages = (
  JSON.parse(readFileSync(join(repoRoot, 'dist/lib/help.json'), 'utf8')) as { pages: Record<string, unknown[]> }
).pages;

/** What commander prints for `command`'s help at `width` columns (a fresh program each time). */
async function commanderHelp(name: string, width: number): Promise<string> {
  const { buildProgram } = (await import(cliUrl)) as { buildProgram(ctx: CliContext): Command };
  let out = '';
  const sink = {
    write: (text: string) => {
      out += text;
      return true;
    },
  };
  const program = buildProgram({ env: {}, cwd: repoRoot, stdout: sink, stderr: sink, stdinIsTTY: false, exitCode: 0 });
  const command = name === '' ? program : program.commands.find((c) => c.name() === name);
  assert.ok(command, `no command ${name}`);
  command.configureOutput({ writeOut: sink.write, writeErr: sink.write, getOutHelpWidth: () => width });
  command.outputHelp();
  return out;
}

test('help.json has a page for the program and every command', async () => {
  const { buildProgram } = (await import(cliUrl)) as { buildProgram(ctx: CliContext): Command };
  const sink = { write: () => true };
  const program = buildProgram({ env: {}, cwd: repoRoot, stdout: sink, stderr: sink, stdinIsTTY: false, exitCode: 0 });
  const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
  assert.ok(names.length >= 8, names.join(' '));
  assert.deepEqual(Object.keys(pages).sort(), ['', ...names].sort());
});

test('every page is laid out as commander lays it out, at every width', async () => {
  const widths = [1, 20, 39, 40, 41, 45, 52, 60, 66, 72, 79, 80, 81, 90, 100, 120, 132, 160, 200, 250, 400];
  for (const name of Object.keys(pages)) {
    for (const width of widths) {
      assert.equal(
        help.renderPage(pages[name]!, width),
        await commanderHelp(name, width),
        `page "${name}" at ${width}`,
      );
    }
  }
});

test('bin/skene.js prints what the full CLI prints for help and the version, without loading the bundle', async () => {
  const forms: string[][] = [['--help'], ['-h'], ['help'], ['--version'], ['-v']];
  for (const name of Object.keys(pages).filter(Boolean)) forms.push([name, '--help'], [name, '-h'], ['help', name]);
  const recorder = join(repoRoot, 'test/cli/support/record-module-loads.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'skene-fast-help-'));
  try {
    for (const [i, args] of forms.entries()) {
      const log = join(dir, `modules-${i}.log`);
      const fast = await runSkene(args, { env: { SKENE_MODULE_LOG: log }, nodeArgs: ['--import', recorder] });
      const full = await runNode([
        '--input-type=module',
        '-e',
        `const { runCli } = await import(${JSON.stringify(cliUrl)});` +
          `process.exitCode = await runCli(['node', 'skene', ...${JSON.stringify(args)}]);`,
      ]);
      assert.deepEqual(fast, full, `skene ${args.join(' ')}`);
      assert.equal(fast.code, 0, `skene ${args.join(' ')}`);
      const modules = readFileSync(log, 'utf8').split('\n');
      assert.ok(
        modules.some((m) => m.endsWith(join('bin', 'help.js'))),
        `skene ${args.join(' ')}: the recorder saw bin/help.js`,
      );
      assert.deepEqual(
        modules.filter((m) => m.includes(join('dist', 'lib'))),
        [],
        `skene ${args.join(' ')} loaded the bundle`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('anything else runs the CLI: an unknown command, a help request with more arguments, no arguments', async () => {
  assert.equal(help.fastAnswer(['nope', '--help'], repoRoot, 80), undefined);
  assert.equal(help.fastAnswer(['help', 'nope'], repoRoot, 80), undefined);
  assert.equal(help.fastAnswer(['analyze', '--help', '--json'], repoRoot, 80), undefined);
  assert.equal(help.fastAnswer(['analyze', '.'], repoRoot, 80), undefined);
  assert.equal(help.fastAnswer(['nope'], repoRoot, 80), undefined);
  assert.equal(help.fastAnswer([], repoRoot, 80), undefined);
  const run = await runSkene(['nope']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown command 'nope'/);
});
