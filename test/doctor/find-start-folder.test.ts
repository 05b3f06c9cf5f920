import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { findStartPlaces, parseServerCommand } from '../../src/doctor/find-start-folder.js';
import { resolveModuleStatically } from '../../src/doctor/resolve-module.js';
import { makeProject } from './helpers.js';

const APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef home():\n    return {}\n';
const SCRIPT_APP = `${APP}\n\nif __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run(app)\n`;

test('start commands: the server, its target and the flags that move sys.path', () => {
  const gunicorn = parseServerCommand('gunicorn -w 4 -k uvicorn.workers.UvicornWorker --chdir backend app.main:app');
  assert.equal(gunicorn?.kind, 'module');
  assert.equal(gunicorn?.target, 'app.main');
  assert.equal(gunicorn?.dir, 'backend');
  const pythonM = parseServerCommand('python -m uvicorn app.main:app --app-dir=src --port 8000');
  assert.equal(pythonM?.target, 'app.main');
  assert.equal(pythonM?.dir, 'src');
  assert.equal(pythonM?.viaPythonM, true);
  const fastapi = parseServerCommand('cd backend && fastapi run --port 80 app/main.py');
  assert.equal(fastapi?.kind, 'fastapi');
  assert.equal(fastapi?.target, 'app/main.py');
  assert.equal(fastapi?.cd, 'backend');
  assert.equal(parseServerCommand('cd backend && fastapi dev')?.target, undefined);
  assert.equal(parseServerCommand('pip install uvicorn fastapi'), undefined);
  assert.equal(parseServerCommand('uvicorn --help'), undefined);
  assert.equal(parseServerCommand('python -m pytest')?.kind, 'python-module');
});

test('a Dockerfile WORKDIR traced back through COPY, with PYTHONPATH', async () => {
  const root = makeProject({
    'src/pkg/__init__.py': '',
    'src/pkg/main.py': APP,
    'lib/shared/__init__.py': '',
    Dockerfile: [
      'FROM python:3.12',
      'WORKDIR /srv',
      'COPY ./src /srv',
      'COPY lib /opt/lib',
      'ENV PYTHONPATH=/opt/lib',
      'CMD ["uvicorn", "pkg.main:app", "--host", "0.0.0.0"]',
      '',
    ].join('\n'),
  });
  const { places, unplaced } = findStartPlaces(root, await analyzeProject(root));
  assert.deepEqual(unplaced, []);
  assert.deepEqual(
    places.map((place) => ({ path: place.path, cwd: place.cwd, file: place.file, line: place.line })),
    [{ path: ['src', 'lib'], cwd: 'src', file: 'Dockerfile', line: 6 }],
  );
  assert.ok(resolveModuleStatically(root, places[0]!.path, 'shared').found);
});

test('a Procfile with gunicorn --chdir, and `python main.py` running the app itself', async () => {
  const chdir = makeProject({
    'backend/app/__init__.py': '',
    'backend/app/main.py': APP,
    Procfile: 'web: gunicorn --chdir backend app.main:app\n',
  });
  assert.deepEqual(
    findStartPlaces(chdir, await analyzeProject(chdir)).places.map((place) => place.path),
    [['backend']],
  );
  const script = makeProject({
    'service/main.py': SCRIPT_APP,
    'service/routers/__init__.py': '',
    Procfile: 'web: python service/main.py\n',
    Makefile: 'test:\n\tpython -m pytest\n',
  });
  const { places } = findStartPlaces(script, await analyzeProject(script));
  assert.deepEqual(
    places.map((place) => ({ path: place.path, cwd: place.cwd })),
    [{ path: ['service'], cwd: '' }],
  );
});

test('a README example counts only when nothing else starts the app; a wrong Procfile target is unplaced', async () => {
  const root = makeProject({
    'app/__init__.py': '',
    'app/main.py': APP,
    'README.md': '```\nuvicorn app.main:app --reload\n```\n',
    Makefile: 'test:\n\tpython -m pytest\n',
  });
  const readme = findStartPlaces(root, await analyzeProject(root));
  assert.deepEqual(
    readme.places.map((place) => place.how),
    ['where README.md:2 starts it: uvicorn app.main:app --reload'],
  );
  const wrong = makeProject({ 'app/__init__.py': '', 'app/main.py': APP, Procfile: 'web: uvicorn main:app\n' });
  const result = findStartPlaces(wrong, await analyzeProject(wrong));
  assert.deepEqual(result.places, []);
  assert.deepEqual(result.unplaced, [
    { file: 'Procfile', line: 1, command: 'uvicorn main:app', why: 'main does not resolve from .' },
  ]);
});

test('namespace packages resolve; a plain module has no submodules; a regular package wins over a later portion', () => {
  const root = makeProject({
    'a/ns/mod.py': '',
    'b/ns/__init__.py': '',
    'b/ns/other.py': '',
    'c/tool.py': '',
  });
  assert.deepEqual(resolveModuleStatically(root, ['a'], 'ns.mod'), {
    found: true,
    file: 'a/ns/mod.py',
    kind: 'module',
  });
  assert.deepEqual(resolveModuleStatically(root, ['a'], 'ns'), { found: true, file: 'a/ns', kind: 'namespace' });
  // b/ns is a regular package: it wins, and a/ns/mod.py is no longer part of ns.
  assert.equal(resolveModuleStatically(root, ['a', 'b'], 'ns.mod').found, false);
  assert.deepEqual(resolveModuleStatically(root, ['a', 'b'], 'ns.other'), {
    found: true,
    file: 'b/ns/other.py',
    kind: 'module',
  });
  const sub = resolveModuleStatically(root, ['c'], 'tool.sub');
  assert.equal(sub.found, false);
  assert.match((sub as { why: string }).why, /c\/tool\.py is a module, not a package/);
});
