import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import type { AnalysisResult } from '../../src/analyze/types.js';
import { planRuntimeLocation } from '../../src/generate/runtime-location.js';
import { fixturePath } from '../helpers/fixtures.js';

type Layout = Pick<AnalysisResult, 'apps' | 'sourceRoots'>;

function layout(app: { file: string; module: string } | undefined, roots: Array<[string, string[]]>): Layout {
  const apps = app
    ? [
        {
          file: app.file,
          line: 1,
          variable: 'app',
          module: app.module,
          mountedAt: [],
          creation: { file: app.file, line: 1, column: 0, endLine: 1, endColumn: 1 },
        },
      ]
    : [];
  return { apps, sourceRoots: roots.map(([path, packages]) => ({ path, packages })) } as unknown as Layout;
}

test('inside the top-level package of the app, from the root its module resolves from', () => {
  assert.deepEqual(planRuntimeLocation(layout({ file: 'app/main.py', module: 'app.main' }, [['', ['app']]])), {
    dir: 'app/skene',
    module: 'app.skene',
  });
  assert.deepEqual(
    planRuntimeLocation(layout({ file: 'src/taskflow/main.py', module: 'taskflow.main' }, [['src', ['taskflow']]])),
    {
      dir: 'src/taskflow/skene',
      module: 'taskflow.skene',
    },
  );
});

test('a deeper root that holds the file but does not resolve the module is not taken', () => {
  // backend/app is a root for its alembic package; the app is imported as app.main from backend.
  const nested = layout({ file: 'backend/app/main.py', module: 'app.main' }, [
    ['backend', ['app']],
    ['backend/app', ['alembic']],
  ]);
  assert.deepEqual(planRuntimeLocation(nested), { dir: 'backend/app/skene', module: 'app.skene' });
});

test('a single-module app gets skene_runtime/ at its root; with no resolving root, the deepest holding one', () => {
  assert.deepEqual(planRuntimeLocation(layout({ file: 'main.py', module: 'main' }, [['', []]])), {
    dir: 'skene_runtime',
    module: 'skene_runtime',
  });
  assert.deepEqual(
    planRuntimeLocation(
      layout({ file: 'svc/api/main.py', module: 'main' }, [
        ['', ['svc']],
        ['svc', ['api']],
      ]),
    ),
    {
      dir: 'svc/skene_runtime',
      module: 'skene_runtime',
    },
  );
  assert.deepEqual(planRuntimeLocation(layout(undefined, [['', ['pkg']]])), { dir: 'pkg/skene', module: 'pkg.skene' });
});

test('fullstack-template: the runtime goes beside the app in backend/app, not in backend/app/app', async () => {
  const analysis = await analyzeProject(fixturePath('fullstack-template'));
  // backend/app/alembic/ has no __init__.py: it is a namespace package of app, not a root of its own.
  assert.deepEqual(
    analysis.sourceRoots.map((root) => root.path),
    ['backend'],
    JSON.stringify(analysis.sourceRoots),
  );
  assert.deepEqual(planRuntimeLocation(analysis), { dir: 'backend/app/skene', module: 'app.skene' });
});
