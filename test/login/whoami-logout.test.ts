import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import {
  fakeAccountId,
  fakeAccountName,
  fakeStripeKeys,
  type StripeServer,
  startStripeServer,
} from '../helpers/stripe-server.js';
import { makeTempHome, runSkene } from './login-harness.js';

let server: StripeServer;
let home: { dir: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;

before(async () => {
  server = await startStripeServer();
});
after(() => server.close());
beforeEach(async () => {
  home = await makeTempHome();
  env = {
    XDG_CONFIG_HOME: home.dir,
    HOME: home.dir,
    SKENE_STRIPE_API_BASE: server.url,
    SKENE_STRIPE_TIMEOUT_MS: '3000',
    NO_COLOR: '1',
  };
  server.state.behavior = 'normal';
});
afterEach(() => home.cleanup());

const credentialsFile = (): string => join(home.dir, 'skene', 'credentials.json');

async function logIn(key: string = fakeStripeKeys.secret): Promise<void> {
  const run = await runSkene(['login', '--api-key', key], { env });
  assert.equal(run.code, 0, run.stderr);
  server.requests.length = 0;
}

test('whoami: the stored account, mode, masked key and file path, with no network call', async () => {
  await logIn();
  const run = await runSkene(['whoami'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`Account: ${fakeAccountName} \\(${fakeAccountId}\\)`));
  assert.match(run.stdout, /Mode: +test/);
  assert.match(run.stdout, /Key: +sk_test_…abcd \(secret key\)/);
  assert.ok(run.stdout.includes(`Source:  ${credentialsFile()}`), run.stdout);
  assert.match(run.stdout, /not checked now \(pass --verify\)/);
  assert.ok(!run.stdout.includes(fakeStripeKeys.secret));
  assert.equal(server.requests.length, 0);
});

test('whoami --json: one JSON document, still no network call', async () => {
  await logIn();
  const run = await runSkene(['whoami', '--json'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    loggedIn: true,
    accountId: fakeAccountId,
    accountName: fakeAccountName,
    mode: 'test',
    keyType: 'secret',
    key: 'sk_test_…abcd',
    source: { kind: 'file', path: credentialsFile() },
    verified: false,
  });
  assert.equal(server.requests.length, 0);
});

test('whoami: an environment key wins over the stored one and is named by its variable', async () => {
  await logIn(fakeStripeKeys.restricted);
  const run = await runSkene(['whoami'], { env: { ...env, STRIPE_SECRET_KEY: fakeStripeKeys.live } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Source: +STRIPE_SECRET_KEY \(environment\)/);
  assert.match(run.stdout, /Mode: +live/);
  assert.match(run.stdout, /Key: +sk_live_…wxyz/);
  assert.match(run.stdout, /Account: not known until checked/);
  assert.ok(run.stderr.includes(`The key stored in ${credentialsFile()} is not used while STRIPE_SECRET_KEY is set`));
  assert.equal(server.requests.length, 0);

  const json = await runSkene(['whoami', '--json'], { env: { ...env, STRIPE_API_KEY: fakeStripeKeys.secret } });
  assert.deepEqual((JSON.parse(json.stdout) as { source: unknown }).source, { kind: 'env', name: 'STRIPE_API_KEY' });
});

test('whoami --verify checks the key live and names the account', async () => {
  const run = await runSkene(['whoami', '--verify', '--json'], {
    env: { ...env, STRIPE_SECRET_KEY: fakeStripeKeys.secret },
  });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { accountId: string; accountName: string; verified: boolean };
  assert.equal(result.accountId, fakeAccountId);
  assert.equal(result.accountName, fakeAccountName);
  assert.equal(result.verified, true);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/v1/account'],
  );
});

test("whoami --verify with a key Stripe refuses: exit 1 with Stripe's message", async () => {
  const run = await runSkene(['whoami', '--verify'], { env: { ...env, STRIPE_SECRET_KEY: fakeStripeKeys.invalid } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Invalid API Key provided/);
  assert.equal(run.stdout, '');
});

test('whoami when not logged in: exit 1 with the way to log in; --json says loggedIn false', async () => {
  const run = await runSkene(['whoami'], { env });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Not logged in to Stripe/);
  assert.match(run.stderr, /skene login/);
  const json = await runSkene(['whoami', '--json'], { env });
  assert.equal(json.code, 1);
  const document = JSON.parse(json.stdout) as {
    ok: boolean;
    loggedIn: boolean;
    error: { message: string; hint?: string; exitCode: number };
  };
  assert.deepEqual(
    [document.ok, document.loggedIn, document.error.message, document.error.exitCode],
    [false, false, 'Not logged in to Stripe.', 1],
  );
  assert.match(document.error.hint ?? '', /skene login/);
});

test('whoami with a publishable key in the environment says which variable is wrong', async () => {
  const run = await runSkene(['whoami'], { env: { ...env, STRIPE_SECRET_KEY: 'pk_test_51AbCdEfGhIjKlMnOpQrSt' } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /STRIPE_SECRET_KEY does not hold a usable Stripe key\. That is a publishable key/);
});

test('logout removes the stored key and says so; a second logout is fine and says there was none', async () => {
  await logIn();
  const first = await runSkene(['logout'], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stdout.includes(`Logged out: removed the Stripe key stored in ${credentialsFile()}`), first.stdout);
  await assert.rejects(stat(credentialsFile()), { code: 'ENOENT' });

  const second = await runSkene(['logout', '--json'], { env });
  assert.equal(second.code, 0);
  assert.deepEqual(JSON.parse(second.stdout), { removed: false, path: credentialsFile(), envKeyStillSet: null });

  const whoami = await runSkene(['whoami'], { env });
  assert.equal(whoami.code, 1);
});

test('logout warns when an environment key will still be used', async () => {
  await logIn();
  const run = await runSkene(['logout'], { env: { ...env, STRIPE_API_KEY: fakeStripeKeys.secret } });
  assert.equal(run.code, 0);
  assert.match(run.stderr, /STRIPE_API_KEY is still set in this environment/);
});
