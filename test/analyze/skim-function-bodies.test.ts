/**
 * Skimming (docs/ARCHITECTURE.md, "Skimming function bodies"): the analyzer parses each file with the bodies it
 * does not convert blanked. What it reads must not change: on every fixture, on a generated codebase, and on
 * the Python each test lane runs (its standard library, FastAPI, Starlette, pydantic, SQLAlchemy), the module
 * IR from the skimmed text's tree equals the IR from the file's own tree. The logical-line reader behind it is
 * checked on the forms of Python's line structure, and says "unreadable" rather than guess.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { writeSyntheticFastApiCodebase } from '../../bench/synthetic-fastapi.js';
import { extractModuleStatements } from '../../src/analyze/extract-module-ir.js';
import { skimFunctionBodies } from '../../src/analyze/skim-function-bodies.js';
import { parsePython } from '../../src/python/parse-python.js';
import { logicalLinesOf } from '../../src/python/python-logical-lines.js';
import { pythonLanes, runLanePython } from '../helpers/python-lanes.js';

const fixturesDir = join(import.meta.dirname, '..', '..', 'fixtures');

interface Comparison {
  files: number;
  skimmed: number;
  blankedChars: number;
  differences: string[];
}

/** The IR of each source from its own tree and from its skimmed text's tree, where it has one that parses. */
function compareSkimmed(sources: Iterable<[string, string]>): Comparison {
  const result: Comparison = { files: 0, skimmed: 0, blankedChars: 0, differences: [] };
  for (const [name, source] of sources) {
    result.files++;
    const skimmed = skimFunctionBodies(source);
    if (skimmed === undefined) continue;
    if (skimmed.length !== source.length || skimmed.replace(/[^\r\n]/g, '') !== source.replace(/[^\r\n]/g, '')) {
      result.differences.push(`${name}: the skimmed text moved a line`);
      continue;
    }
    const skimmedTree = parsePython(skimmed);
    const fullTree = parsePython(source);
    try {
      // The analyzer parses such a file whole (analyze-file.ts); a clean file must stay clean.
      if (skimmedTree.rootNode.hasError) {
        if (!fullTree.rootNode.hasError) result.differences.push(`${name}: the skimmed text does not parse`);
        continue;
      }
      result.skimmed++;
      for (let i = 0; i < source.length; i++) if (skimmed[i] !== source[i] && skimmed[i] === ' ') result.blankedChars++;
      const full = JSON.stringify(extractModuleStatements(fullTree, source));
      const fromSkimmed = JSON.stringify(extractModuleStatements(skimmedTree, source));
      if (full !== fromSkimmed && !fullTree.rootNode.hasError) {
        let at = 0;
        while (full[at] === fromSkimmed[at]) at++;
        result.differences.push(
          `${name}: ${full.slice(at - 80, at + 80)}\n  skimmed: ${fromSkimmed.slice(at - 80, at + 80)}`,
        );
      }
    } finally {
      skimmedTree.delete();
      fullTree.delete();
    }
  }
  return result;
}

function* pythonFilesUnder(root: string): Generator<[string, string]> {
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.py')) continue;
    const path = join(root, entry);
    if (statSync(path).isFile()) yield [relative(root, path), readFileSync(path, 'utf8')];
  }
}

test('every fixture: the IR from the skimmed text equals the IR from the whole file', () => {
  const comparison = compareSkimmed(pythonFilesUnder(fixturesDir));
  assert.deepEqual(comparison.differences, []);
  assert.ok(comparison.skimmed >= 40, `only ${comparison.skimmed} of ${comparison.files} fixture files skimmed`);
});

test('a generated codebase: the same IR, with most of its text blanked', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skene-skim-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeSyntheticFastApiCodebase(root, { seed: 7, files: 300, targetBytes: 3_000_000 });
  const files = [...pythonFilesUnder(root)];
  const comparison = compareSkimmed(files);
  assert.deepEqual(comparison.differences, []);
  const total = files.reduce((sum, [, source]) => sum + source.length, 0);
  assert.ok(comparison.blankedChars > total * 0.3, `${comparison.blankedChars} of ${total} characters blanked`);
});

// Each lane's own Python, FastAPI and the libraries around it: real code in every style, old and new syntax.
const DUMP_SOURCES = `
import base64, json, os, sys, sysconfig, importlib.util, zlib
roots = [sysconfig.get_paths()["stdlib"]]
for name in ("fastapi", "starlette", "pydantic", "sqlalchemy", "stripe"):
    spec = importlib.util.find_spec(name)
    if spec and spec.submodule_search_locations:
        roots.extend(spec.submodule_search_locations)
out = []
for root in roots:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "dist-packages", "test", "tests", "idlelib")]
        for file in files:
            path = os.path.join(folder, file)
            if file.endswith(".py") and os.path.getsize(path) < 1_000_000:
                try:
                    out.append([path, open(path, encoding="utf-8").read()])
                except (UnicodeDecodeError, OSError):
                    pass
# Compressed: the texts come to tens of megabytes.
sys.stdout.write(base64.b64encode(zlib.compress(json.dumps(out).encode(), 6)).decode())
`;

test("each lane's Python and libraries: the same IR from the skimmed text", async () => {
  for (const lane of await pythonLanes()) {
    const dump = await runLanePython(lane, ['-c', DUMP_SOURCES]);
    const sources = JSON.parse(inflateSync(Buffer.from(dump, 'base64')).toString('utf8')) as Array<[string, string]>;
    const comparison = compareSkimmed(sources);
    assert.deepEqual(comparison.differences, [], `${lane.name} (Python ${lane.pythonVersion})`);
    assert.ok(comparison.files > 800, `${lane.name}: only ${comparison.files} files`);
    assert.ok(comparison.skimmed > comparison.files / 3, `${lane.name}: ${comparison.skimmed} of ${comparison.files}`);
  }
});

function linesOf(source: string): string[] | undefined {
  return logicalLinesOf(source)?.map((line) => `${line.indent}:${source.slice(line.start, line.end)}`);
}

test('logical lines: brackets, continuations, comments and every kind of string', () => {
  const source = [
    'x = (1,',
    '     2)  # a comment',
    '',
    '# a comment line',
    'y = 1 + \\',
    '    2',
    'def f(a="(", b=\')\'):',
    '    s = """a',
    'def fake():',
    '"""',
    "    t = rb'\\x00' + f'{a!r:>{width}}' + f\"{d['k']}\" + f\"{d[\"k\"]}\" + t'{x}'",
    "    u = f'{{literal}}' + r'\\'' + f'''{",
    '        a',
    "    }'''",
    '    return 1',
  ].join('\n');
  assert.deepEqual(linesOf(source), [
    '0:x = (1,\n     2)',
    '0:y = 1 + \\\n    2',
    '0:def f(a="(", b=\')\'):',
    '4:s = """a\ndef fake():\n"""',
    "4:t = rb'\\x00' + f'{a!r:>{width}}' + f\"{d['k']}\" + f\"{d[\"k\"]}\" + t'{x}'",
    "4:u = f'{{literal}}' + r'\\'' + f'''{\n        a\n    }'''",
    '4:return 1',
  ]);
  assert.deepEqual(linesOf('a = 1\r\nif a:\r\n    b = [\r\n 2]\r\n'), ['0:a = 1', '0:if a:', '4:b = [\r\n 2]']);
});

test('logical lines: what the reader does not read exactly is unreadable, never guessed', () => {
  for (const source of [
    'if x:\n\treturn 1\n', // a tab in indentation
    'x = (1,\n', // an unclosed bracket
    'x = 1)\n', // a closing bracket with none open
    "x = 'abc\n", // an unterminated string
    'x = """abc\n', // an unterminated triple-quoted string
    'x = 1 \\ 2\n', // a backslash that continues nothing
    "x = f'{a # no\n}'\n", // a comment in an f-string field
  ]) {
    assert.equal(logicalLinesOf(source), undefined, JSON.stringify(source));
  }
});

test('skimming blanks the bodies the extractor skips and keeps what it reads', () => {
  const source = [
    'from fastapi import APIRouter, FastAPI',
    'router = APIRouter()',
    '',
    '@router.get("/items")',
    'def list_items(db = None):',
    '    rows = db.query()',
    '    for row in rows:',
    '        print(row)',
    '    return rows',
    '',
    'def get_settings():',
    '    """Settings, once."""',
    '    return Settings()',
    '',
    'def wire(app):',
    '    register(app)',
    '',
    'def build() -> FastAPI:',
    '    return make()',
    '',
    'def helper(items: "Any"):',
    '    use(items)',
    '',
    'def one_line():',
    '    value = load(); return value',
    '    ',
  ].join('\n');
  const skimmed = skimFunctionBodies(source);
  assert.ok(skimmed);
  const lines = skimmed.split('\n');
  // The handler's statements become one blank expression; its own return stays.
  assert.equal(lines[5], '    (                ');
  assert.equal(lines[7], `${' '.repeat(17)})`);
  assert.equal(lines[8], '    return rows');
  assert.equal(lines[11], `    (${' '.repeat(19)})`);
  assert.equal(lines[12], '    return Settings()');
  // A parameter passed on may be the app, a function returning FastAPI builds one, a string annotation may say Any.
  assert.equal(lines[15], '    register(app)');
  assert.equal(lines[18], '    return make()');
  assert.equal(lines[21], '    use(items)');
  // A return after a semicolon is one of the body's own statements too.
  assert.equal(lines[24], '    value = load(); return value');
  const tree = parsePython(skimmed);
  assert.equal(tree.rootNode.hasError, false);
  tree.delete();
  assert.equal(skimFunctionBodies('x = 1\n'), undefined, 'nothing to blank');
});
