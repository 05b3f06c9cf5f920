import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AppInstallTarget, planAppInstall } from '../../src/generate/wire-app-install.js';
import { applyTextEdits, parsePython } from '../../src/generate/wire-python-source.js';

function install(source: string, target: AppInstallTarget): string | 'present' | { refused: string } {
  const outcome = planAppInstall(source, parsePython(source), target);
  if (outcome.kind === 'present') return 'present';
  if (outcome.kind === 'refused') return { refused: outcome.reason };
  return applyTextEdits(source, outcome.edits);
}

test('installs after a module-level app, multi-line creation included', () => {
  const before =
    'from fastapi import FastAPI\n\napp = FastAPI(\n    title="Reports",\n)  # the app\napp.include_router(r)\n';
  const after = install(before, { line: 3, column: 0, variable: 'app' });
  assert.equal(
    after,
    'from fastapi import FastAPI\n\napp = FastAPI(\n    title="Reports",\n)  # the app\nskene_install(app)\napp.include_router(r)\n',
  );
  assert.equal(install(after as string, { line: 3, column: 0, variable: 'app' }), 'present');
});

test('installs inside a factory at the statement indentation', () => {
  const before = 'def create_app():\n    application = FastAPI()\n    return application\n';
  assert.equal(
    install(before, { line: 2, column: 4, variable: 'application' }),
    'def create_app():\n    application = FastAPI()\n    skene_install(application)\n    return application\n',
  );
  // The same variable name in another function is not this app's install.
  const other = 'def other():\n    skene_install(application)\n\ndef create_app():\n    application = FastAPI()\n';
  assert.equal(
    install(other, { line: 5, column: 4, variable: 'application' }),
    'def other():\n    skene_install(application)\n\ndef create_app():\n    application = FastAPI()\n    skene_install(application)\n',
  );
});

test('handles a file without a final newline', () => {
  assert.equal(
    install('app = FastAPI()', { line: 1, column: 0, variable: 'app' }),
    'app = FastAPI()\nskene_install(app)\n',
  );
});

test('refuses creations it cannot extend safely', () => {
  assert.match(
    (install('def f():\n    return FastAPI()\n', { line: 2, column: 4, variable: 'app' }) as { refused: string })
      .refused,
    /no "app = FastAPI/,
  );
  assert.match(
    (install('app = FastAPI(); x = 1\n', { line: 1, column: 0, variable: 'app' }) as { refused: string }).refused,
    /shared with other code/,
  );
});

test('an app created in both branches of an if is installed after the if, where every path passes', () => {
  const both =
    'if DEBUG:\n    app = FastAPI(debug=True)\nelse:\n    app = FastAPI()\n\n@app.post("/r")\ndef r(): ...\n';
  // The analysis names either branch's creation: the install lands in one place.
  for (const line of [2, 4]) {
    const after = install(both, { line, column: 4, variable: 'app' });
    assert.equal(
      after,
      'if DEBUG:\n    app = FastAPI(debug=True)\nelse:\n    app = FastAPI()\nskene_install(app)\n\n@app.post("/r")\ndef r(): ...\n',
    );
    assert.equal(install(after as string, { line, column: 4, variable: 'app' }), 'present');
  }
  const elif =
    'def make():\n    if A:\n        app = FastAPI(a=1)\n    elif B:\n        app = FastAPI(b=1)\n    else:\n        raise RuntimeError()\n    return app\n';
  assert.equal(
    install(elif, { line: 5, column: 8, variable: 'app' }),
    'def make():\n    if A:\n        app = FastAPI(a=1)\n    elif B:\n        app = FastAPI(b=1)\n    else:\n        raise RuntimeError()\n    skene_install(app)\n    return app\n',
  );
  // Re-created in one branch after a first creation: after the if too.
  const redo = 'app = FastAPI()\nif DEBUG:\n    app = FastAPI(debug=True)\n';
  assert.equal(
    install(redo, { line: 3, column: 4, variable: 'app' }),
    'app = FastAPI()\nif DEBUG:\n    app = FastAPI(debug=True)\nskene_install(app)\n',
  );
  // Only one branch creates it and nothing before: the install stays in that branch.
  const one = 'if DEBUG:\n    app = FastAPI()\n';
  assert.equal(
    install(one, { line: 2, column: 4, variable: 'app' }),
    'if DEBUG:\n    app = FastAPI()\n    skene_install(app)\n',
  );
  const tried =
    'try:\n    app = make()\n    app = FastAPI()\nexcept ImportError:\n    app = FastAPI(title="fallback")\n';
  assert.equal(install(tried, { line: 5, column: 4, variable: 'app' }), `${tried}skene_install(app)\n`);
});
