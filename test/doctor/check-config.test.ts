import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLoopConfig } from '../../src/config/read-config.js';
import { checkConfig } from '../../src/doctor/check-config.js';
import { casesDir } from './helpers.js';

const configs = join(casesDir, 'configs');

// Each broken config: the check that must fail and where (file:line:col as the reader locates it).
const table: Array<{ file: string; id: string; line: number; col?: number; message: RegExp }> = [
  { file: 'apostrophe.ts.txt', id: 'config.parse', line: 11, col: 22, message: /apostrophe/i },
  { file: 'unknown-key.ts.txt', id: 'config.types', line: 10, col: 7, message: /Unknown key "retry"/ },
  { file: 'bad-period.ts.txt', id: 'config.values', line: 8, message: /period "30 days"/ },
  { file: 'negative-limit.ts.txt', id: 'config.values', line: 8, message: /limit for free: -5/ },
  { file: 'unknown-method.ts.txt', id: 'config.values', line: 7, message: /method "FETCH"/ },
  { file: 'duplicate-ids.ts.txt', id: 'config.values', line: 13, message: /Duplicate step id "features"/ },
];

for (const row of table) {
  test(`config: ${row.file} fails ${row.id} at line ${row.line}`, async () => {
    const reading = await readLoopConfig(join(configs, row.file));
    const checks = checkConfig('skene.config.ts', {
      ...reading,
      diagnostics: reading.diagnostics.map((d) => ({ ...d, file: 'skene.config.ts' })),
    });
    const failing = checks.find(
      (check) => check.id === row.id && check.status === 'fail' && row.message.test(check.message),
    );
    assert.ok(failing, `no failing ${row.id} matching ${row.message} in ${JSON.stringify(checks, null, 2)}`);
    assert.equal(failing.line, row.line);
    assert.equal(failing.file, 'skene.config.ts');
    if (row.col !== undefined) assert.equal(failing.col, row.col);
    assert.ok(failing.fix && failing.fix.length > 0, 'a failing check carries a fix');
    // One failing check per reader diagnostic.
    assert.equal(checks.filter((check) => check.status === 'fail').length, reading.diagnostics.length);
  });
}

test('config: the apostrophe fix names the double-quoted string, and nothing claims the types pass', async () => {
  const reading = await readLoopConfig(join(configs, 'apostrophe.ts.txt'));
  const checks = checkConfig('skene.config.ts', reading);
  const parse = checks.find((check) => check.id === 'config.parse');
  assert.match(parse?.fix ?? '', /double quotes/);
  assert.match(parse?.detail ?? '', /You've reached/);
  assert.equal(
    checks.some((check) => check.id === 'config.types' || check.id === 'config.values'),
    false,
  );
});

test('config: a valid file passes parse, types and values', async () => {
  const reading = await readLoopConfig(join(configs, 'valid.ts.txt'));
  const checks = checkConfig('skene.config.ts', reading);
  assert.deepEqual(
    checks.map((check) => [check.id, check.status]),
    [
      ['config.parse', 'pass'],
      ['config.types', 'pass'],
      ['config.values', 'pass'],
    ],
  );
});

test('config: a missing loop file fails config.present with `skene init`', () => {
  const checks = checkConfig('skene.config.ts', undefined);
  assert.equal(checks.length, 1);
  assert.equal(checks[0]?.id, 'config.present');
  assert.equal(checks[0]?.status, 'fail');
  assert.match(checks[0]?.fix ?? '', /skene init/);
});
