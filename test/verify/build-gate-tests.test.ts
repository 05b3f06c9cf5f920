import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  buildGateTests,
  chooseGateTestsFolder,
  type GateTestsInput,
  pythonLiteral,
  readTestpaths,
} from '../../src/generate/build-gate-tests.js';
import { generatedMarker } from '../../src/generate/runtime-contract.js';
import { readTemplate } from '../../src/io/read-template.js';

const run = promisify(execFile);

function analysis(
  app: { file: string; module: string; variable?: string; factory?: string },
  roots: Array<[string, string[]]>,
  webhook?: string,
): GateTestsInput['analysis'] {
  return {
    apps: [
      {
        file: app.file,
        line: 1,
        variable: app.variable ?? 'app',
        module: app.module,
        ...(app.factory ? { factory: app.factory } : {}),
        mountedAt: [],
        creation: { file: app.file, line: 1, column: 0, endLine: 1, endColumn: 1 },
      },
    ],
    sourceRoots: roots.map(([path, packages]) => ({ path, packages })),
    stripe: {
      webhooks: webhook
        ? [
            {
              file: 'app/hooks.py',
              line: 3,
              function: 'hook',
              route: { method: 'POST', path: webhook },
              events: [],
              constructEvent: {
                file: 'app/hooks.py',
                line: 5,
                column: 4,
                endLine: 5,
                endColumn: 40,
                eventVariable: 'event',
              },
            },
          ]
        : [],
    },
  } as unknown as GateTestsInput['analysis'];
}

const none = new Map<string, string>();
const noFolders = new Set<string>();

function input(partial: Partial<GateTestsInput> & Pick<GateTestsInput, 'analysis'>): GateTestsInput {
  return {
    location: { dir: 'app/skene', module: 'app.skene' },
    stepIds: ['reports'],
    gated: [{ stepId: 'reports', method: 'POST', path: '/api/reports' }],
    version: '9.9.9',
    templates: readTemplate,
    pytestConfigs: none,
    existingFolders: noFolders,
    projectFolders: noFolders,
    ...partial,
  };
}

const pkgApp = analysis({ file: 'app/main.py', module: 'app.main' }, [['', ['app']]]);

test('testpaths: pyproject (list or string), pytest.ini and tox.ini [pytest], setup.cfg [tool:pytest]', () => {
  assert.deepEqual(readTestpaths('pyproject.toml', '[tool.pytest.ini_options]\ntestpaths = ["qa/unit", "qa/e2e"]\n'), [
    'qa/unit',
    'qa/e2e',
  ]);
  assert.deepEqual(readTestpaths('pyproject.toml', '[tool.pytest.ini_options]\ntestpaths = "checks"\n'), ['checks']);
  assert.equal(readTestpaths('pyproject.toml', '[tool.pytest.ini_options]\npythonpath = ["src"]\n'), undefined);
  assert.deepEqual(
    readTestpaths('pytest.ini', '[pytest]\naddopts = -q\ntestpaths =\n    suite\n    more\n[other]\ntestpaths = no\n'),
    ['suite', 'more'],
  );
  assert.deepEqual(readTestpaths('tox.ini', '[tox]\nenvlist = py3\n[pytest]\ntestpaths = t\n'), ['t']);
  assert.deepEqual(readTestpaths('setup.cfg', '[pytest]\ntestpaths = wrong\n[tool:pytest]\ntestpaths = right\n'), [
    'right',
  ]);
});

test("the tests' folder: pytest's testpaths first, then an existing tests/ or test/, else a new tests/ by the project file", () => {
  const configs = new Map([['pyproject.toml', '[tool.pytest.ini_options]\ntestpaths = ["./qa/"]\n']]);
  assert.equal(
    chooseGateTestsFolder({
      analysis: pkgApp,
      pytestConfigs: configs,
      existingFolders: new Set(['tests']),
      projectFolders: noFolders,
    }),
    'qa',
  );
  // A glob in testpaths is not a folder to write into: the next rule decides.
  const glob = new Map([['pytest.ini', '[pytest]\ntestpaths = tests/*\n']]);
  assert.equal(
    chooseGateTestsFolder({
      analysis: pkgApp,
      pytestConfigs: glob,
      existingFolders: new Set(['test']),
      projectFolders: noFolders,
    }),
    'test',
  );
  // A pyproject.toml without pytest's section is no pytest configuration.
  const unrelated = new Map([['pyproject.toml', '[project]\nname = "x"\n']]);
  assert.equal(
    chooseGateTestsFolder({
      analysis: pkgApp,
      pytestConfigs: unrelated,
      existingFolders: noFolders,
      projectFolders: new Set(['']),
    }),
    'tests',
  );

  const backend = analysis({ file: 'backend/app/main.py', module: 'app.main' }, [['backend', ['app']]]);
  assert.equal(
    chooseGateTestsFolder({
      analysis: backend,
      pytestConfigs: none,
      existingFolders: noFolders,
      projectFolders: new Set(['backend']),
    }),
    'backend/tests',
  );
  assert.equal(
    chooseGateTestsFolder({
      analysis: backend,
      pytestConfigs: none,
      existingFolders: new Set(['tests']),
      projectFolders: new Set(['backend']),
    }),
    'tests',
  );
  const backendIni = new Map([['backend/pytest.ini', '[pytest]\ntestpaths = tests/unit\n']]);
  assert.equal(
    chooseGateTestsFolder({
      analysis: backend,
      pytestConfigs: backendIni,
      existingFolders: new Set(['tests']),
      projectFolders: noFolders,
    }),
    'backend/tests/unit',
  );
});

test('the generated file: marked, the templated facts filled in, no limit in it, and valid Python', async () => {
  const file = buildGateTests(
    input({
      analysis: analysis(
        { file: 'src/shop/main.py', module: 'shop.main', variable: 'application', factory: 'create_app' },
        [['src', ['shop']]],
        '/billing/webhook',
      ),
      location: { dir: 'src/shop/skene', module: 'shop.skene' },
      stepIds: ['reports', 'unused'],
      gated: [
        { stepId: 'reports', method: 'POST', path: '/api/reports/{id}/export' },
        { stepId: 'reports', method: 'POST', path: '/api/reports' },
        { stepId: 'reports', method: 'POST', path: '/api/reports' },
      ],
      existingFolders: new Set(['tests']),
    }),
  );
  assert.equal(file.path, 'tests/test_skene_gate.py');
  assert.ok(file.content.startsWith(generatedMarker('9.9.9')));
  assert.match(file.content, /^APP_MODULE = "shop\.main"$/m);
  assert.match(file.content, /^APP_VARIABLE = "application"$/m);
  assert.match(file.content, /^APP_FACTORY = "create_app"$/m);
  assert.match(file.content, /^RUNTIME_MODULE = "shop\.skene"$/m);
  assert.match(file.content, /^SOURCE_ROOT = "\.\.\/src"$/m);
  assert.match(file.content, /^WEBHOOK_PATH = "\/billing\/webhook"$/m);
  assert.ok(
    file.content.includes(
      'GATED_ROUTES = {\n    "reports": [\n        ("POST", "/api/reports"),\n        ("POST", "/api/reports/{id}/export"),\n    ],\n    "unused": [],\n}',
    ),
    file.content,
  );
  assert.doesNotMatch(file.content, /\{\{/);

  const folder = await mkdtemp(join(tmpdir(), 'skene-gate-tests-'));
  await writeFile(join(folder, 'test_skene_gate.py'), file.content);
  // Compiles on the interpreter the project's Python tests use (no import: pytest is imported at run time).
  await run('/usr/bin/python3', [
    '-c',
    'import ast, sys; ast.parse(open(sys.argv[1]).read())',
    join(folder, 'test_skene_gate.py'),
  ]);
});

test("without a webhook of the app's own, the tests post to skene's route; the same input gives the same bytes", () => {
  const first = buildGateTests(input({ analysis: pkgApp }));
  assert.match(first.content, /^WEBHOOK_PATH = "\/skene\/webhooks\/stripe"$/m);
  assert.match(first.content, /^SOURCE_ROOT = "\.\."$/m);
  assert.equal(buildGateTests(input({ analysis: pkgApp })).content, first.content);
});

test('Python literals from JSON-like data', () => {
  assert.equal(pythonLiteral(null), 'None');
  assert.equal(pythonLiteral(true), 'True');
  assert.equal(pythonLiteral('a "b"\n'), '"a \\"b\\"\\n"');
  assert.equal(pythonLiteral({ a: [1, false] }), '{\n    "a": [\n        1,\n        False,\n    ],\n}');
});
