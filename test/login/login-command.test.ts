import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import {
  fakeAccountId,
  fakeAccountName,
  fakeStripeKeys,
  type StripeServer,
  startStripeServer,
} from '../helpers/stripe-server.js';
import { makeTempHome, runSkene, scriptedPrompter } from './login-harness.js';

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
  server.requests.length = 0;
  server.state.behavior = 'normal';
});
afterEach(() => home.cleanup());

const credentialsFile = (): string => join(home.dir, 'skene', 'credentials.json');
const storedKey = async (): Promise<string | undefined> => {
  try {
    return (JSON.parse(await readFile(credentialsFile(), 'utf8')) as { stripe: { apiKey: string } }).stripe.apiKey;
  } catch {
    return undefined;
  }
};
const noWholeKey = (text: string, key: string): void =>
  assert.ok(!text.includes(key), `the whole key was printed:\n${text}`);
const noStackTrace = (text: string): void => assert.doesNotMatch(text, /\n\s+at .+:\d+/);

test('--api-key: validates, stores in a 0600 file in a 0700 folder, and shows account, mode and masked key', async () => {
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`Logged in to Stripe as ${fakeAccountName} \\(${fakeAccountId}\\)`));
  assert.match(run.stdout, /Mode: +test/);
  assert.match(run.stdout, /Key: +sk_test_…abcd \(secret key\)/);
  assert.ok(run.stdout.includes(credentialsFile()));
  noWholeKey(run.stdout + run.stderr, fakeStripeKeys.secret);
  assert.equal(await storedKey(), fakeStripeKeys.secret);
  assert.equal((await stat(credentialsFile())).mode & 0o777, 0o600);
  assert.equal((await stat(join(home.dir, 'skene'))).mode & 0o777, 0o700);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/v1/account'],
  );
});

test('--json prints exactly one JSON document on stdout', async () => {
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.restricted, '--json'], { env });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(result, {
    accountId: fakeAccountId,
    accountName: null,
    mode: 'test',
    keyType: 'restricted',
    key: 'rk_test_…rstu',
    source: { kind: 'flag' },
    savedTo: credentialsFile(),
  });
  noWholeKey(run.stdout + run.stderr, fakeStripeKeys.restricted);
});

test('the key comes from STRIPE_SECRET_KEY or STRIPE_API_KEY without a terminal', async () => {
  const run = await runSkene(['login', '--json'], { env: { ...env, STRIPE_API_KEY: fakeStripeKeys.secret } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((JSON.parse(run.stdout) as { source: unknown }).source, { kind: 'env', name: 'STRIPE_API_KEY' });
  assert.equal(await storedKey(), fakeStripeKeys.secret);
});

test('no terminal and no key: exit 2 naming --api-key and both variables, no request', async () => {
  const run = await runSkene(['login'], { env });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--api-key/);
  assert.match(run.stderr, /STRIPE_SECRET_KEY/);
  assert.match(run.stderr, /STRIPE_API_KEY/);
  assert.equal(run.stdout, '');
  assert.equal(server.requests.length, 0);
});

test('CI=1 never prompts even on a terminal', async () => {
  const run = await runSkene(['login'], { env: { ...env, CI: '1' }, stdinIsTTY: true });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--api-key/);
});

test("an invalid key: exit 1 with Stripe's message, no stack trace, and the stored good key stays", async () => {
  assert.equal((await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env })).code, 0);
  const before = await readFile(credentialsFile(), 'utf8');
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.invalid, '--force'], { env });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Stripe rejected the key: Invalid API Key provided: sk_test_\*+dead/);
  noStackTrace(run.stderr);
  noWholeKey(run.stdout + run.stderr, fakeStripeKeys.invalid);
  assert.equal(await readFile(credentialsFile(), 'utf8'), before);
});

test('an invalid key is never stored when there was none', async () => {
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.invalid], { env });
  assert.equal(run.code, 1);
  await assert.rejects(stat(credentialsFile()), { code: 'ENOENT' });
});

test('a restricted key with no read access: exit 1 naming the missing permission', async () => {
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.restrictedNoPrices], { env });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /missing a permission/);
  assert.match(run.stderr, /read access to Prices/);
  assert.equal(await storedKey(), undefined);
});

test("Stripe 5xx: exit 1 saying it is on Stripe's side", async () => {
  server.state.behavior = 'server-error';
  server.state.serverErrorStatus = 502;
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /server error \(HTTP 502\)/);
  assert.match(run.stderr, /status\.stripe\.com/);
  noStackTrace(run.stderr);
  assert.equal(await storedKey(), undefined);
});

test('Stripe not answering: exit 1 after the timeout', async () => {
  server.state.behavior = 'hang';
  const started = Date.now();
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.secret, '--json'], {
    env: { ...env, SKENE_STRIPE_TIMEOUT_MS: '300' },
  });
  assert.equal(run.code, 1);
  assert.ok(Date.now() - started < 3000);
  assert.match(run.stderr, /did not answer within 0\.3 s/);
  // --json: the error is the one document on stdout.
  const document = JSON.parse(run.stdout) as { ok: boolean; error: { message: string; exitCode: number } };
  assert.deepEqual([document.ok, document.error.exitCode], [false, 1]);
  assert.match(document.error.message, /did not answer within 0\.3 s/);
  assert.equal(await storedKey(), undefined);
});

test('--live with a test key is refused before any request; a live key needs --live', async () => {
  const testWithLive = await runSkene(['login', '--api-key', fakeStripeKeys.secret, '--live'], { env });
  assert.equal(testWithLive.code, 1);
  assert.match(testWithLive.stderr, /sk_test_…abcd is a test-mode key, but --live asks for a live-mode key/);
  assert.match(testWithLive.stderr, /dashboard\.stripe\.com\/apikeys/);

  const liveWithout = await runSkene(['login', '--api-key', fakeStripeKeys.live], { env });
  assert.equal(liveWithout.code, 2);
  assert.match(liveWithout.stderr, /Pass --live/);
  assert.equal(server.requests.length, 0);

  const live = await runSkene(['login', '--api-key', fakeStripeKeys.live, '--live', '--json'], { env });
  assert.equal(live.code, 0, live.stderr);
  assert.equal((JSON.parse(live.stdout) as { mode: string }).mode, 'live');
});

test('a publishable key is refused with what it is, before any request', async () => {
  const run = await runSkene(['login', '--api-key', 'pk_test_51AbCdEfGhIjKlMnOpQrSt'], { env });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /publishable key/);
  assert.equal(server.requests.length, 0);
});

test('already logged in: without a terminal, a different key needs --force; --force replaces it', async () => {
  assert.equal((await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env })).code, 0);
  const refused = await runSkene(['login', '--api-key', fakeStripeKeys.restricted], { env });
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    new RegExp(`Already logged in as ${fakeAccountName} \\(${fakeAccountId}\\), test mode, key sk_test_…abcd`),
  );
  assert.match(refused.stderr, /--force/);
  assert.equal(await storedKey(), fakeStripeKeys.secret);

  const forced = await runSkene(['login', '--api-key', fakeStripeKeys.restricted, '--force'], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await storedKey(), fakeStripeKeys.restricted);
});

test('logging in again with the same key re-checks it without asking', async () => {
  assert.equal((await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env })).code, 0);
  const again = await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Already logged in/);
  assert.equal(server.requests.length, 2);
});

test('a login with --api-key while STRIPE_SECRET_KEY holds another key warns that the variable wins', async () => {
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.restricted], {
    env: { ...env, STRIPE_SECRET_KEY: fakeStripeKeys.secret },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /STRIPE_SECRET_KEY is set in this environment and wins over the stored key/);
});

test('interactive: opens the test-mode API-keys page, asks for the key masked, re-asks after a bad paste, stores it', async () => {
  const opened: string[] = [];
  const prompter = scriptedPrompter({ passwords: ['pk_test_51NotASecretKey000', `  ${fakeStripeKeys.secret}\n`] });
  const run = await runSkene(['login'], {
    env,
    stdinIsTTY: true,
    prompter,
    openUrl: async (url) => void opened.push(url),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(opened, ['https://dashboard.stripe.com/test/apikeys']);
  assert.match(run.stderr, /Opened https:\/\/dashboard\.stripe\.com\/test\/apikeys/);
  assert.equal(prompter.asked[0], 'password: Stripe test-mode key');
  assert.match(prompter.asked[1] ?? '', /^refused: .*publishable key/);
  assert.equal(await storedKey(), fakeStripeKeys.secret);
  assert.match(run.stdout, new RegExp(`Logged in to Stripe as ${fakeAccountName}`));
});

test('interactive --live opens the live page; a test key pasted there is refused at the prompt', async () => {
  const opened: string[] = [];
  const prompter = scriptedPrompter({ passwords: [fakeStripeKeys.secret, fakeStripeKeys.live] });
  const run = await runSkene(['login', '--live'], {
    env,
    stdinIsTTY: true,
    prompter,
    openUrl: async (url) => void opened.push(url),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(opened, ['https://dashboard.stripe.com/apikeys']);
  assert.match(prompter.asked[1] ?? '', /refused: .*test-mode key/);
  assert.equal(await storedKey(), fakeStripeKeys.live);
});

test('interactive: the URL is printed when no browser opens, and with --no-browser nothing is opened', async () => {
  const failing = await runSkene(['login', '--json'], {
    env,
    stdinIsTTY: true,
    prompter: scriptedPrompter({ passwords: [fakeStripeKeys.secret] }),
    openUrl: async () => {
      throw new Error('xdg-open: no method available');
    },
  });
  assert.equal(failing.code, 0, failing.stderr);
  assert.match(failing.stderr, /Could not open a browser\. Open https:\/\/dashboard\.stripe\.com\/test\/apikeys/);
  assert.deepEqual((JSON.parse(failing.stdout) as { source: unknown }).source, { kind: 'prompt' });

  const opened: string[] = [];
  const noBrowser = await runSkene(['login', '--no-browser', '--force'], {
    env,
    stdinIsTTY: true,
    prompter: scriptedPrompter({ passwords: [fakeStripeKeys.secret] }),
    openUrl: async (url) => void opened.push(url),
  });
  assert.equal(noBrowser.code, 0, noBrowser.stderr);
  assert.deepEqual(opened, []);
  assert.match(noBrowser.stderr, /Open https:\/\/dashboard\.stripe\.com\/test\/apikeys and copy/);
});

test('interactive, already logged in: says as whom and asks; "no" keeps the stored key without any request', async () => {
  assert.equal((await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env })).code, 0);
  server.requests.length = 0;
  const prompter = scriptedPrompter({ confirms: [false] });
  const run = await runSkene(['login'], { env, stdinIsTTY: true, prompter });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`Already logged in as ${fakeAccountName} \\(${fakeAccountId}\\)`));
  assert.deepEqual(prompter.asked, ['confirm: Replace the stored key with a new one?']);
  assert.match(run.stdout, /Still logged in as/);
  assert.equal(server.requests.length, 0);
  assert.equal(await storedKey(), fakeStripeKeys.secret);
});

test('interactive, already logged in: "yes" asks for the new key; a key Stripe refuses is asked again, three refusals keep the old one', async () => {
  assert.equal((await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env })).code, 0);
  const prompter = scriptedPrompter({
    confirms: [true],
    passwords: [fakeStripeKeys.invalid, fakeStripeKeys.invalid, fakeStripeKeys.invalid],
  });
  const run = await runSkene(['login'], { env, stdinIsTTY: true, prompter });
  assert.equal(run.code, 1);
  assert.deepEqual(prompter.asked, [
    'confirm: Replace the stored key with a new one?',
    ...Array(3).fill('password: Stripe test-mode key'),
  ]);
  assert.match(run.stderr, /Invalid API Key provided/);
  assert.equal(run.stderr.match(/Try another key\./g)?.length, 2, run.stderr);
  assert.equal(await storedKey(), fakeStripeKeys.secret);
});

test('interactive: a key Stripe refuses is asked for again, and the next good key logs in', async () => {
  const prompter = scriptedPrompter({ passwords: [fakeStripeKeys.invalid, fakeStripeKeys.secret] });
  const run = await runSkene(['login', '--no-browser'], { env, stdinIsTTY: true, prompter });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(prompter.asked, ['password: Stripe test-mode key', 'password: Stripe test-mode key']);
  assert.match(run.stderr, /Invalid API Key provided.*\nTry another key\./s);
  assert.equal(await storedKey(), fakeStripeKeys.secret);
});

test('Ctrl-C at the key prompt exits 130 and stores nothing', async () => {
  const prompter = scriptedPrompter({});
  prompter.password = async () => {
    const error = new Error('User force closed the prompt with SIGINT');
    error.name = 'ExitPromptError';
    throw error;
  };
  const run = await runSkene(['login'], { env, stdinIsTTY: true, prompter });
  assert.equal(run.code, 130);
  assert.equal(await storedKey(), undefined);
});

test('a damaged credentials file is replaced by a successful login', async () => {
  await mkdir(join(home.dir, 'skene'), { recursive: true });
  await writeFile(credentialsFile(), 'garbage');
  const run = await runSkene(['login', '--api-key', fakeStripeKeys.secret], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /damaged/);
  assert.equal(await storedKey(), fakeStripeKeys.secret);
});
