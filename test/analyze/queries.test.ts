/**
 * Every tree-sitter query in queries/ compiles against the installed tree-sitter-python grammar, uses
 * tags-style capture names, and matches what it is written for.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Query } from 'web-tree-sitter';

import { listQueryNames, loadQuery } from '../../src/analyze/load-queries.js';
import { queriesDir } from '../../src/paths.js';
import { parsePython, pythonLanguage } from '../../src/python/parse-python.js';

const TAGS_STYLE = /^(?:name\.)?(?:definition|reference|diagnostic)\.[a-z_]+$|^arguments$/;

test('queries/ holds the queries the analyzer loads', () => {
  const names = listQueryNames();
  for (const name of ['stripe', 'syntax-errors'])
    assert.ok(names.includes(name), `${name}.scm in ${JSON.stringify(names)}`);
});

for (const name of listQueryNames()) {
  test(`queries/${name}.scm compiles against the installed grammar with tags-style captures`, () => {
    assert.doesNotThrow(() => loadQuery(name));
    const source = readFileSync(join(queriesDir(), `${name}.scm`), 'utf8').replace(/;.*$/gm, '');
    const captures = [...source.matchAll(/@([\w.]+)/g)].map((m) => m[1]!);
    assert.ok(captures.length > 0, 'the query captures something');
    for (const capture of captures) assert.match(capture, TAGS_STYLE, `capture @${capture}`);
  });
}

test('compiling is a real check: a query naming a node the grammar lacks is rejected', () => {
  assert.throws(() => new Query(pythonLanguage, '(no_such_node) @reference.call'));
});

test('stripe.scm captures calls, function definitions and event types in comparisons, match/case and dicts', () => {
  const source = [
    'def hook(event):',
    '    stripe.Webhook.construct_event(a, b, c)',
    '    if event["type"] == "invoice.paid": pass',
    '    if event.type in ("a.b", "c.d"): pass',
    '    match event.type:',
    '        case "x.y" | "z.w": pass',
    'HANDLERS = {"k.v": hook}',
  ].join('\n');
  const tree = parsePython(source);
  const byCapture = new Map<string, string[]>();
  for (const capture of loadQuery('stripe').captures(tree.rootNode)) {
    byCapture.set(capture.name, [...(byCapture.get(capture.name) ?? []), capture.node.text]);
  }
  assert.deepEqual(byCapture.get('name.definition.function'), ['hook']);
  assert.ok(byCapture.get('name.reference.call')?.includes('stripe.Webhook.construct_event'));
  assert.deepEqual(byCapture.get('reference.event'), ['"invoice.paid"', '"x.y"', '"z.w"', '"k.v"']);
  assert.deepEqual(byCapture.get('reference.event_collection'), ['("a.b", "c.d")']);
});

test('syntax-errors.scm finds ERROR nodes and nothing in valid code', () => {
  const query = loadQuery('syntax-errors');
  assert.equal(query.captures(parsePython('x = 1\n').rootNode).length, 0);
  const broken = query.captures(parsePython('x = 1\nclass A(\n  def f(): pass\n').rootNode);
  assert.deepEqual(
    broken.map((c) => [c.name, c.node.startPosition.row + 1]),
    [['diagnostic.error', 2]],
  );
});
