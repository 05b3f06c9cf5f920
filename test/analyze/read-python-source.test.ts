/**
 * Source text as Python reads it (PEP 263): UTF-8 by default, a BOM dropped, a coding line on line 1 (or on
 * line 2 after a comment or blank line) names the codec; a file Python could not decode is skipped with a reason.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { declaredEncoding, readPythonSource } from '../../src/python/read-python-source.js';

function readBytes(t: { after: (fn: () => void) => void }, bytes: Buffer): ReturnType<typeof readPythonSource> {
  const dir = mkdtempSync(join(tmpdir(), 'skene-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'm.py'), bytes);
  return readPythonSource(join(dir, 'm.py'));
}

test('declaredEncoding reads the forms PEP 263 shows, only on the first two lines', () => {
  assert.equal(declaredEncoding('# -*- coding: latin-1 -*-\nx = 1'), 'latin-1');
  assert.equal(declaredEncoding('#!/usr/bin/env python\n# vim: set fileencoding=Latin_1 :\n'), 'latin-1');
  assert.equal(declaredEncoding('\n# coding=cp1252\n'), 'cp1252');
  assert.equal(
    declaredEncoding('x = 1\n# coding: latin-1\n'),
    undefined,
    'line 2 counts only after a comment or blank line',
  );
  assert.equal(declaredEncoding('#\n#\n# coding: latin-1\n'), undefined, 'line 3 is too late');
  assert.equal(declaredEncoding('x = "coding: latin-1"\n'), undefined, 'only in a comment');
});

test('latin-1 is ISO-8859-1 exactly (0x80-0x9f are C1 controls, not windows-1252 letters)', (t) => {
  const read = readBytes(t, Buffer.from('# -*- coding: latin-1 -*-\nNAME = "caf\xe9 \x80"\n', 'latin1'));
  assert.ok('text' in read);
  assert.equal(read.text, '# -*- coding: latin-1 -*-\nNAME = "caf\u00e9 \u0080"\n');
});

test('a declared codec wins even when the bytes happen to be valid UTF-8', (t) => {
  // "Ã©" in cp1252 is C3 A9, which UTF-8 would read as "é".
  const read = readBytes(
    t,
    Buffer.concat([Buffer.from('# coding: cp1252\nNAME = "'), Buffer.from([0xc3, 0xa9]), Buffer.from('"\n')]),
  );
  assert.ok('text' in read);
  assert.match(read.text, /NAME = "Ã©"/);
});

test('other codecs through TextDecoder, in either spelling', (t) => {
  const sjis = readBytes(
    t,
    Buffer.concat([Buffer.from('# -*- coding: shift_jis -*-\nS = "'), Buffer.from([0x82, 0xa0]), Buffer.from('"\n')]),
  );
  assert.ok('text' in sjis && sjis.text.includes('S = "\u3042"'), JSON.stringify(sjis));
  const latin9 = readBytes(t, Buffer.from('# coding: iso_8859_15\nE = "\xa4"\n', 'latin1'));
  assert.ok('text' in latin9 && latin9.text.includes('E = "\u20ac"'), JSON.stringify(latin9));
});

test('UTF-8: a BOM is dropped, a utf-8 coding line changes nothing, undeclared latin-1 bytes are skipped', (t) => {
  const bom = readBytes(t, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# coding: utf-8\nX = "é"\n')]));
  assert.deepEqual(bom, { text: '# coding: utf-8\nX = "é"\n', bytes: 28 });
  assert.deepEqual(readBytes(t, Buffer.from('X = "caf\xe9"\n', 'latin1')), {
    skipped: 'skipped: not valid UTF-8',
    bytes: 11,
  });
});

test('what Python refuses is skipped with the reason: an unknown codec, bytes invalid in the codec, a BOM with another codec', (t) => {
  const unknown = readBytes(t, Buffer.from('# coding: klingon\nX = 1\n'));
  assert.ok('skipped' in unknown && /unknown source encoding "klingon"/.test(unknown.skipped), JSON.stringify(unknown));
  const invalid = readBytes(
    t,
    Buffer.concat([Buffer.from('# coding: shift_jis\nS = "'), Buffer.from([0x82, 0xff]), Buffer.from('"\n')]),
  );
  assert.ok('skipped' in invalid && /not valid shift-jis/.test(invalid.skipped), JSON.stringify(invalid));
  const conflict = readBytes(
    t,
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# coding: latin-1\nX = "\xe9"\n', 'latin1')]),
  );
  assert.ok('skipped' in conflict && /byte order mark/.test(conflict.skipped), JSON.stringify(conflict));
});
