/**
 * `skene --help` and `skene analyze --help` against snapshots stored beside this file. After an intended
 * change to the help text, rewrite them with `UPDATE_SNAPSHOTS=1 node --import tsx --test test/cli/help-snapshot.test.ts`
 * and review the diff.
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { runSkene } from './helpers.js';

function matchSnapshot(name: string, actual: string): void {
  const file = fileURLToPath(new URL(`./snapshots/${name}`, import.meta.url));
  if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the stored snapshot`);
}

test('skene --help matches its snapshot and lists every command and the exit codes', async () => {
  const run = await runSkene(['--help']);
  assert.equal(run.code, 0);
  assert.equal(run.stderr, '');
  for (const command of ['login', 'logout', 'whoami', 'analyze', 'init', 'generate', 'doctor', 'sync'])
    assert.match(run.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  assert.match(run.stdout, /Exit codes:/);
  matchSnapshot('skene-help.txt', run.stdout);
});

test('skene analyze --help matches its snapshot', async () => {
  const run = await runSkene(['analyze', '--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--json/);
  matchSnapshot('skene-analyze-help.txt', run.stdout);
});

test('every command has --help with examples and the exit codes', async () => {
  for (const command of ['login', 'logout', 'whoami', 'analyze', 'init', 'generate', 'doctor', 'sync', 'verify']) {
    const run = await runSkene([command, '--help']);
    assert.equal(run.code, 0, command);
    assert.match(run.stdout, new RegExp(`^Usage: skene ${command}\\b`, 'm'), command);
    assert.match(run.stdout, /^Examples:\n {2}\$ skene /m, command);
    assert.match(run.stdout, /^Exit codes:\n {2}0 {4}\S/m, command);
    assert.match(run.stdout, /^ {2}2 {4}usage error/m, command);
  }
});
