import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fakeAccountId, fakeStripeKeys, type StripeServer, startStripeServer } from '../helpers/stripe-server.js';
import { makeTempHome } from './login-harness.js';

// Runs the built CLI (`npm run build` first, as `npm test` does) as a user would.
const bin = fileURLToPath(new URL('../../bin/skene.js', import.meta.url));

let server: StripeServer;
let home: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  server = await startStripeServer();
  home = await makeTempHome();
});
after(async () => {
  await server.close();
  await home.cleanup();
});

/** Async on purpose: the Stripe test server lives in this process and must keep answering. */
function skene(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home.dir,
    XDG_CONFIG_HOME: join(home.dir, 'config'),
    CI: '1',
    NO_COLOR: '1',
    SKENE_STRIPE_API_BASE: server.url,
    SKENE_STRIPE_TIMEOUT_MS: '5000',
    ...extraEnv,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('built CLI: login without a key exits 2, login --api-key --json stores the key, whoami reads it offline, logout removes it', async () => {
  const missing = await skene(['login']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--api-key/);
  assert.match(missing.stderr, /STRIPE_SECRET_KEY/);

  const login = await skene(['login', '--api-key', fakeStripeKeys.secret, '--json']);
  assert.equal(login.code, 0, login.stderr);
  const result = JSON.parse(login.stdout) as { accountId: string; key: string; savedTo: string };
  assert.equal(result.accountId, fakeAccountId);
  assert.equal(result.key, 'sk_test_…abcd');
  const file = join(home.dir, 'config', 'skene', 'credentials.json');
  assert.equal(result.savedTo, file);
  assert.equal((await stat(file)).mode & 0o777, 0o600);

  const requestsBefore = server.requests.length;
  const whoami = await skene(['whoami', '--json']);
  assert.equal(whoami.code, 0, whoami.stderr);
  assert.deepEqual((JSON.parse(whoami.stdout) as { source: unknown }).source, { kind: 'file', path: file });
  assert.equal(server.requests.length, requestsBefore);

  const invalid = await skene(['login', '--api-key', fakeStripeKeys.invalid, '--force']);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /Invalid API Key provided/);
  assert.doesNotMatch(invalid.stderr, /\n\s+at /);

  const logout = await skene(['logout']);
  assert.equal(logout.code, 0);
  assert.match(logout.stdout, /Logged out/);
  await assert.rejects(stat(file), { code: 'ENOENT' });
});

test('built CLI: login --help lists the flags', async () => {
  const help = await skene(['login', '--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--api-key <key>', '--live', '--no-browser', '--force', '--json'])
    assert.ok(help.stdout.includes(flag), flag);
});
