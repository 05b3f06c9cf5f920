/**
 * PRODUCT.md §1: with --json, stdout is one JSON document, errors too — a bad folder, an unknown flag, a
 * rejected key — `{"ok": false, "error": {"message", "hint"?, "exitCode"}}`, with the exit code the
 * command returns. On the built CLI, for every command that takes --json.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSkene } from './helpers.js';

interface ErrorDocument {
  ok: false;
  error: { message: string; hint?: string; exitCode: number };
}

function parseOne(stdout: string): ErrorDocument {
  // JSON.parse fails on anything but exactly one document (and whitespace).
  const document = JSON.parse(stdout) as ErrorDocument;
  assert.equal(document.ok, false, stdout);
  assert.equal(typeof document.error.message, 'string');
  return document;
}

test('--json errors are one JSON document on stdout, for every command', async () => {
  const home = await mkdtemp(join(tmpdir(), 'skene-json-home-'));
  const env = { XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
  const missing = join(home, 'no-such-folder');
  const cases: Array<{ args: string[]; code: number; message: RegExp; hint?: RegExp }> = [
    {
      args: ['analyze', missing, '--json'],
      code: 2,
      message: /no-such-folder is not a folder\./,
      hint: /skene analyze \[DIR\]/,
    },
    { args: ['doctor', missing, '--json'], code: 2, message: /No folder at .*no-such-folder\./ },
    {
      args: ['doctor', '--json', '--bogus'],
      code: 2,
      message: /^unknown option '--bogus'$/,
      hint: /skene doctor --help/,
    },
    {
      args: ['analyze', '--json', '--bogus'],
      code: 2,
      message: /^unknown option '--bogus'$/,
      hint: /skene analyze --help/,
    },
    { args: ['analyze', 'a', 'b', '--json'], code: 2, message: /too many arguments/ },
    {
      args: ['login', '--json', '--api-key', 'pk_test_51AbCdEfGhIjKlMnOpQrSt'],
      code: 1,
      message: /is not a usable Stripe key/,
      hint: /sk_/,
    },
    { args: ['login', '--json', '--api-key'], code: 2, message: /option '--api-key <key>' argument missing/ },
    { args: ['whoami', '--json'], code: 1, message: /^Not logged in to Stripe\.$/, hint: /skene login/ },
    { args: ['logout', '--json', '--everything'], code: 2, message: /^unknown option '--everything'$/ },
    {
      args: ['sync', missing, '--json'],
      code: 2,
      message: /no-such-folder is not a folder\./,
      hint: /skene sync \[DIR\]/,
    },
    { args: ['sync', '--json', '--dryrun'], code: 2, message: /^unknown option '--dryrun'/, hint: /skene sync --help/ },
  ];
  for (const { args, code, message, hint } of cases) {
    const run = await runSkene(args, { env });
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    const document = parseOne(run.stdout);
    assert.match(document.error.message, message, args.join(' '));
    assert.equal(document.error.exitCode, code, args.join(' '));
    if (hint) assert.match(document.error.hint ?? '', hint, args.join(' '));
  }
});

test('without --json, errors stay on stderr and stdout is empty', async () => {
  const run = await runSkene(['doctor', '--bogus']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /unknown option '--bogus'/);
});
