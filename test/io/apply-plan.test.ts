import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyPlan } from '../../src/io/apply-plan.js';
import { resolveInsideProject } from '../../src/io/path-guard.js';
import { buildFileChange, listProjectFiles, readProjectFile } from '../../src/io/read-project-file.js';

async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'skene-io-'));
  await mkdir(join(root, 'app'));
  await writeFile(join(root, 'app/main.py'), 'app = FastAPI()\n');
  return root;
}

test('applies creates and updates through a temp file and a rename, leaving no temp file behind', async () => {
  const root = await project();
  const inodeBefore = (await stat(join(root, 'app/main.py'))).ino;
  const plan = {
    changes: [
      buildFileChange('app/main.py', 'app = FastAPI()\n', 'app = FastAPI()\nskene_install(app)\n'),
      buildFileChange('app/skene/loop.json', undefined, '{}\n'),
      buildFileChange('README.md', undefined, '# x\n'),
    ],
    manual: [],
  };
  plan.changes[2] = { ...plan.changes[2]!, action: 'skip', after: '# x\n' };
  const applied = await applyPlan(root, plan);
  assert.deepEqual(
    applied.updated.map((c) => c.path),
    ['app/main.py'],
  );
  assert.deepEqual(
    applied.created.map((c) => c.path),
    ['app/skene/loop.json'],
  );
  assert.equal(await readFile(join(root, 'app/main.py'), 'utf8'), 'app = FastAPI()\nskene_install(app)\n');
  assert.equal(await readFile(join(root, 'app/skene/loop.json'), 'utf8'), '{}\n');
  // A rename gives the path a new inode; an in-place write would keep the old one.
  assert.notEqual((await stat(join(root, 'app/main.py'))).ino, inodeBefore);
  assert.deepEqual((await readdir(join(root, 'app'))).sort(), ['main.py', 'skene']);
  assert.deepEqual(await readdir(join(root, 'app/skene')), ['loop.json']);
  assert.equal(await readProjectFile(root, 'README.md'), undefined, 'a skipped change writes nothing');
});

test('a file changed on disk since the plan was made stops the whole plan before any write', async () => {
  const root = await project();
  const plan = {
    changes: [
      buildFileChange('app/new.py', undefined, 'x = 1\n'),
      buildFileChange('app/main.py', 'app = FastAPI()\n', 'app = FastAPI()\nskene_install(app)\n'),
    ],
    manual: [],
  };
  await writeFile(join(root, 'app/main.py'), 'app = FastAPI(title="edited meanwhile")\n');
  await assert.rejects(
    applyPlan(root, plan),
    /app\/main\.py changed on disk while skene was planning; nothing was written\./,
  );
  assert.equal(await readProjectFile(root, 'app/new.py'), undefined);
  assert.equal(await readFile(join(root, 'app/main.py'), 'utf8'), 'app = FastAPI(title="edited meanwhile")\n');
});

test('paths outside the project folder are refused: .., absolute, through a symlinked folder', async () => {
  const root = await project();
  const outside = await mkdtemp(join(tmpdir(), 'skene-io-outside-'));
  await symlink(outside, join(root, 'linked'));
  for (const path of ['../escape.py', 'app/../../escape.py', '/etc/passwd', '', 'linked/x.py', 'a\0b']) {
    assert.throws(() => resolveInsideProject(root, path), /outside the project folder/, JSON.stringify(path));
  }
  assert.equal(resolveInsideProject(root, 'app/skene/_gate.py'), join(root, 'app/skene/_gate.py'));
  await assert.rejects(
    applyPlan(root, { changes: [buildFileChange('linked/x.py', undefined, 'x')], manual: [] }),
    /outside the project folder/,
  );
  assert.deepEqual(await readdir(outside), []);
});

test('listProjectFiles lists one folder by suffix, and nothing for a missing folder', async () => {
  const root = await project();
  await mkdir(join(root, 'app/versions'));
  await writeFile(join(root, 'app/versions/b_second.py'), '');
  await writeFile(join(root, 'app/versions/a_first.py'), '');
  await writeFile(join(root, 'app/versions/notes.txt'), '');
  assert.deepEqual(await listProjectFiles(root, 'app/versions', '.py'), [
    'app/versions/a_first.py',
    'app/versions/b_second.py',
  ]);
  assert.deepEqual(await listProjectFiles(root, 'app/none', '.py'), []);
});
