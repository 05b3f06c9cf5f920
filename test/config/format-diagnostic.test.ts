import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCodeFrame } from '../../src/config/format-diagnostic.js';
import { readLoopConfig } from '../../src/config/read-config.js';
import { SkeneError } from '../../src/errors.js';
import { createPalette } from '../../src/ui/palette.js';
import { formatConfigDiagnostic } from '../../src/ui/render-config-diagnostic.js';

const apostropheSnippet = readFileSync(new URL('./corpus/page-snippet-apostrophe.ts', import.meta.url), 'utf8');

test("the page snippet's error renders as file:line:col, a code frame with a caret, and the double-quoted fix", async () => {
  const [diagnostic, ...rest] = (await readLoopConfig('skene.config.ts', apostropheSnippet)).diagnostics;
  assert.equal(rest.length, 0);
  assert.ok(diagnostic);
  assert.equal(
    formatConfigDiagnostic(diagnostic),
    [
      'skene.config.ts:24:22 error Unescaped apostrophe ends this single-quoted string early [syntax]',
      '    22 |       action: {',
      "    23 |         type: 'block',",
      "  > 24 |         message: 'You've reached your free tier limit. Upgrade to continue.',",
      '       |                      ^',
      '    25 |         upgradePrompt: {',
      "    26 |           type: 'email',",
      '  hint: Write the string in double quotes: "You\'ve reached your free tier limit. Upgrade to continue.", or escape the apostrophe as \\\'.',
    ].join('\n'),
  );
});

test('a diagnostic without hint or frame renders on one line', () => {
  const text = formatConfigDiagnostic({ file: 'skene.config.ts', line: 3, col: 1, message: 'Something', code: 'type' });
  assert.equal(text, 'skene.config.ts:3:1 error Something [type]');
});

test('with a palette, location, severity, code and hint label are painted; the frame stays plain', async () => {
  const [diagnostic] = (await readLoopConfig('skene.config.ts', apostropheSnippet)).diagnostics;
  assert.ok(diagnostic);
  const colored = formatConfigDiagnostic(diagnostic, createPalette(true));
  assert.ok(colored.includes('\u001b[36mskene.config.ts:24:22\u001b[39m'), JSON.stringify(colored));
  assert.ok(colored.includes('\u001b[31merror\u001b[39m'));
  assert.ok(colored.includes('\u001b[1mhint:\u001b[22m'));
  assert.equal(formatConfigDiagnostic(diagnostic, createPalette(false)), formatConfigDiagnostic(diagnostic));
});

test('buildCodeFrame marks the line and column, at the start and at the end of a file', () => {
  const source = 'first\nsecond line\nthird';
  assert.equal(buildCodeFrame(source, 1, 1), '> 1 | first\n    | ^\n  2 | second line\n  3 | third');
  assert.equal(buildCodeFrame(source, 3, 5), '  1 | first\n  2 | second line\n> 3 | third\n    |     ^');
});

test('readLoopConfig reads the file from disk and names it in its diagnostics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-config-'));
  const file = join(dir, 'skene.config.ts');
  writeFileSync(file, apostropheSnippet);
  const { diagnostics } = await readLoopConfig(file);
  assert.deepEqual(
    diagnostics.map((d) => [d.file, d.line, d.col]),
    [[file, 24, 22]],
  );
});

test('a missing loop file is a SkeneError that points to skene init', async () => {
  const missing = join(mkdtempSync(join(tmpdir(), 'skene-config-')), 'skene.config.ts');
  await assert.rejects(readLoopConfig(missing), (error: unknown) => {
    assert.ok(error instanceof SkeneError);
    assert.match(error.message, /No loop file/);
    assert.match(error.hint ?? '', /skene init/);
    return true;
  });
});

test('diagnostics of one file do not leak into the next read', async () => {
  assert.equal((await readLoopConfig('skene.config.ts', apostropheSnippet)).diagnostics.length, 1);
  const fixed = apostropheSnippet.replace(
    "'You've reached your free tier limit. Upgrade to continue.'",
    `"You've reached your free tier limit. Upgrade to continue."`,
  );
  const result = await readLoopConfig('skene.config.ts', fixed);
  assert.deepEqual(result.diagnostics, []);
  assert.ok(result.loop);
});

test('a CRLF file and a file with a byte order mark are located like any other', async () => {
  const crlf = apostropheSnippet.replace(/\n/g, '\r\n');
  assert.deepEqual(
    (await readLoopConfig('skene.config.ts', crlf)).diagnostics.map((d) => [d.line, d.col]),
    [[24, 22]],
  );
  const bom = `\uFEFF${apostropheSnippet}`;
  assert.deepEqual(
    (await readLoopConfig('skene.config.ts', bom)).diagnostics.map((d) => [d.line, d.col]),
    [[24, 22]],
  );
});
