import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gitIgnoreStatus, uncommittedFiles } from '../../src/doctor/read-git.js';
import { makeProject } from './helpers.js';

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, stdio: 'ignore' });
}

test('uncommitted files of a project in a subfolder of a repository, relative to the project', () => {
  const repo = makeProject({
    'backend/app/main.py': 'app = 1\n',
    'backend/app/old.py': 'x = 1\n',
    'frontend/index.js': '1\n',
  });
  const backend = join(repo, 'backend');
  assert.equal(uncommittedFiles(backend), undefined, 'not a repository yet');
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'start');
  assert.deepEqual(uncommittedFiles(backend), []);
  writeFileSync(join(backend, 'app', 'main.py'), 'app = 2\n');
  writeFileSync(join(repo, 'frontend', 'index.js'), '2\n');
  writeFileSync(join(backend, 'new file.py'), '');
  renameSync(join(backend, 'app', 'old.py'), join(backend, 'app', 'renamed.py'));
  git(repo, 'add', '-A', 'backend/app');
  // Changes outside the project folder are not the project's.
  assert.deepEqual(uncommittedFiles(backend)?.sort(), ['app/main.py', 'app/renamed.py', 'new file.py']);
});

test('git-ignore status: not a repository, not ignored, ignored, tracked', () => {
  const root = makeProject({ 'main.py': '' });
  assert.equal(gitIgnoreStatus(root, 'skene.db'), 'no-repository');
  git(root, 'init', '-q');
  assert.equal(gitIgnoreStatus(root, 'skene.db'), 'not-ignored');
  writeFileSync(join(root, '.gitignore'), 'skene.db\n');
  assert.equal(gitIgnoreStatus(root, 'skene.db'), 'ignored');
  writeFileSync(join(root, 'skene.db'), '');
  git(root, 'add', '-f', 'skene.db');
  assert.equal(gitIgnoreStatus(root, 'skene.db'), 'tracked');
});
