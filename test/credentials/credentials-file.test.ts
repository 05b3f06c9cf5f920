import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  credentialsPath,
  deleteStoredCredentials,
  readStoredCredentials,
  type StoredStripeCredentials,
  writeStoredCredentials,
} from '../../src/credentials/credentials-file.js';
import { resolveStripeKey } from '../../src/credentials/resolve-stripe-key.js';
import { SkeneError } from '../../src/errors.js';
import { makeTempHome } from '../login/login-harness.js';

const stored = (apiKey: string): StoredStripeCredentials => ({
  apiKey,
  accountId: 'acct_123',
  accountName: 'Acme',
  mode: 'test',
  keyType: 'secret',
  savedAt: '2025-01-01T00:00:00.000Z',
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

test('credentialsPath uses XDG_CONFIG_HOME, else ~/.config, and ignores a relative XDG_CONFIG_HOME', () => {
  assert.equal(credentialsPath({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' }), '/x/conf/skene/credentials.json');
  assert.equal(credentialsPath({ HOME: '/home/u' }), '/home/u/.config/skene/credentials.json');
  assert.equal(
    credentialsPath({ XDG_CONFIG_HOME: 'relative/conf', HOME: '/home/u' }),
    '/home/u/.config/skene/credentials.json',
  );
  assert.equal(credentialsPath({ XDG_CONFIG_HOME: '', HOME: '/home/u' }), '/home/u/.config/skene/credentials.json');
});

test('the key is written to a 0600 file in a 0700 folder, with no temp file left behind, and read back', async () => {
  const home = await makeTempHome();
  try {
    const env = { XDG_CONFIG_HOME: join(home.dir, 'config') };
    const path = await writeStoredCredentials(env, stored('sk_test_aaaaaaaaaaaaaaaa1111'));
    assert.equal(path, join(home.dir, 'config', 'skene', 'credentials.json'));
    assert.equal(await modeOf(path), 0o600);
    assert.equal(await modeOf(join(home.dir, 'config', 'skene')), 0o700);
    assert.deepEqual(await readdir(join(home.dir, 'config', 'skene')), ['credentials.json']);
    const back = await readStoredCredentials(env);
    assert.deepEqual(back, { path, credentials: stored('sk_test_aaaaaaaaaaaaaaaa1111') });

    // Rewriting replaces the content and keeps the modes.
    await writeStoredCredentials(env, stored('sk_test_bbbbbbbbbbbbbbbb2222'));
    assert.equal((await readStoredCredentials(env))?.credentials.apiKey, 'sk_test_bbbbbbbbbbbbbbbb2222');
    assert.equal(await modeOf(path), 0o600);
  } finally {
    await home.cleanup();
  }
});

test('an existing, too open folder and file are tightened on write', async () => {
  const home = await makeTempHome();
  try {
    const folder = join(home.dir, 'skene');
    await mkdir(folder, { mode: 0o755 });
    await chmod(folder, 0o755);
    await writeFile(join(folder, 'credentials.json'), '{}', { mode: 0o644 });
    await chmod(join(folder, 'credentials.json'), 0o644);
    const path = await writeStoredCredentials({ XDG_CONFIG_HOME: home.dir }, stored('sk_test_cccccccccccccccc3333'));
    assert.equal(await modeOf(folder), 0o700);
    assert.equal(await modeOf(path), 0o600);
  } finally {
    await home.cleanup();
  }
});

test('no file means not logged in; a damaged file is an error naming the file and the way out', async () => {
  const home = await makeTempHome();
  try {
    const env = { XDG_CONFIG_HOME: home.dir };
    assert.equal(await readStoredCredentials(env), undefined);
    assert.equal(await resolveStripeKey(env), undefined);
    await mkdir(join(home.dir, 'skene'));
    await writeFile(join(home.dir, 'skene', 'credentials.json'), '{"stripe": {"apiKey": 42}}');
    await assert.rejects(readStoredCredentials(env), (error: unknown) => {
      assert.ok(error instanceof SkeneError);
      assert.match(error.message, /credentials\.json is damaged/);
      assert.match(error.hint ?? '', /skene logout/);
      return true;
    });
    await writeFile(join(home.dir, 'skene', 'credentials.json'), 'not json');
    await assert.rejects(readStoredCredentials(env), /damaged/);
  } finally {
    await home.cleanup();
  }
});

test('deleting is idempotent and says whether there was a key', async () => {
  const home = await makeTempHome();
  try {
    const env = { XDG_CONFIG_HOME: home.dir };
    const path = await writeStoredCredentials(env, stored('sk_test_dddddddddddddddd4444'));
    assert.deepEqual(await deleteStoredCredentials(env), { path, removed: true });
    assert.deepEqual(await deleteStoredCredentials(env), { path, removed: false });
    await assert.rejects(readFile(path), { code: 'ENOENT' });
  } finally {
    await home.cleanup();
  }
});

test('resolveStripeKey: STRIPE_SECRET_KEY, then STRIPE_API_KEY, then the file; empty variables count as unset', async () => {
  const home = await makeTempHome();
  try {
    const base = { XDG_CONFIG_HOME: home.dir };
    const path = await writeStoredCredentials(base, stored('sk_test_filefilefilefile5555'));

    const fromFile = await resolveStripeKey(base);
    assert.deepEqual(fromFile?.source, { kind: 'file', path });
    assert.equal(fromFile?.key, 'sk_test_filefilefilefile5555');
    assert.equal(fromFile?.stored?.accountName, 'Acme');

    const apiKeyOnly = await resolveStripeKey({ ...base, STRIPE_API_KEY: 'sk_test_apiapiapiapiapi6666' });
    assert.deepEqual(apiKeyOnly, {
      key: 'sk_test_apiapiapiapiapi6666',
      source: { kind: 'env', name: 'STRIPE_API_KEY' },
    });

    const both = await resolveStripeKey({
      ...base,
      STRIPE_SECRET_KEY: ' sk_test_secretsecretsec7777 ',
      STRIPE_API_KEY: 'sk_test_apiapiapiapiapi6666',
    });
    assert.deepEqual(both, { key: 'sk_test_secretsecretsec7777', source: { kind: 'env', name: 'STRIPE_SECRET_KEY' } });

    const empty = await resolveStripeKey({ ...base, STRIPE_SECRET_KEY: '', STRIPE_API_KEY: '  ' });
    assert.deepEqual(empty?.source, { kind: 'file', path });
  } finally {
    await home.cleanup();
  }
});

test('an environment key makes a damaged file irrelevant', async () => {
  const home = await makeTempHome();
  try {
    await mkdir(join(home.dir, 'skene'));
    await writeFile(join(home.dir, 'skene', 'credentials.json'), 'garbage');
    const resolved = await resolveStripeKey({
      XDG_CONFIG_HOME: home.dir,
      STRIPE_SECRET_KEY: 'sk_test_envenvenvenvenv8888',
    });
    assert.deepEqual(resolved?.source, { kind: 'env', name: 'STRIPE_SECRET_KEY' });
  } finally {
    await home.cleanup();
  }
});
