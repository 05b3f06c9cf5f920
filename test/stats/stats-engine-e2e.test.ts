/**
 * `skene stats` where skene's tables are on the app's own SQLAlchemy engine: stripe-saas after `skene init`, whose
 * engine takes `settings.DATABASE_URL` (os.getenv("DATABASE_URL", ...)). The generated runtime, imported by the
 * app's Python with DATABASE_URL set, records events where it itself resolves the store; stats must find that
 * database from the same variable (in .env or the environment), through the analysis of the engine's URL, and say
 * which variable to set when it is not set.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { runSkene } from '../cli/helpers.js';
import { copyFixture } from '../helpers/fixtures.js';

const run = promisify(execFile);
let project: string | undefined;
after(() => {
  if (project) rmSync(dirname(project), { recursive: true, force: true });
});

/** Records events through the generated store, as the app's process would (its working folder the project). */
const RECORD = `
import time
from app.skene._store import get_store

store = get_store()
now = time.time()
for user in ("1", "2"):
    store.record_event("limit_reached", "limit:" + user, "api-v1-reports-post", user, now - 60, "{}", now - 60)
store.record_event("upgrade_clicked", "click:1", "api-v1-reports-post", "1", now - 60, "{}", now - 30)
store.record_event("converted", "converted:1", "api-v1-reports-post", "1", None, "{}", now)
`;

test("stats reads the app engine's database, found from the variable its settings read", async () => {
  const root = await copyFixture('stripe-saas');
  project = root;
  const init = await runSkene([
    'init',
    root,
    '--endpoint',
    '/api/v1/reports/**',
    '--method',
    'POST',
    '--limit',
    '3',
    '--period',
    '30d',
    '--upgrade-url',
    'https://example.test/pricing',
    '--yes',
  ]);
  assert.equal(init.code, 0, init.stdout + init.stderr);

  const appEnv = { PATH: process.env.PATH, DATABASE_URL: 'sqlite:///./events.db', PYTHONDONTWRITEBYTECODE: '1' };
  await run('/usr/bin/python3', ['-c', RECORD], { cwd: root, env: appEnv });

  const unset = await runSkene(['stats', root, '--json']);
  assert.equal(unset.code, 1, unset.stdout);
  const { error } = JSON.parse(unset.stdout);
  assert.match(error.message, /app's engine app\.db\.session\.engine \(app\/skene\/_integration\.py\)/);
  assert.match(error.hint, /^Set DATABASE_URL /);

  writeFileSync(join(root, '.env'), 'DATABASE_URL=sqlite:///./events.db\n');
  const fromDotenv = await runSkene(['stats', root, '--json']);
  assert.equal(fromDotenv.code, 0, fromDotenv.stdout + fromDotenv.stderr);
  const document = JSON.parse(fromDotenv.stdout);
  assert.equal(document.database.source, 'DATABASE_URL in .env (the setting DATABASE_URL of app.db.session.engine)');
  assert.equal(document.database.url, 'sqlite:///./events.db');
  const [step] = document.steps;
  assert.equal(step.stepId, 'api-v1-reports-post');
  assert.deepEqual(
    step.stages.map((s: { users: number }) => s.users),
    [2, 0, 0, 1, 1],
  );
  assert.equal(step.conversionRate, 0.5);
  assert.ok(Math.abs(step.medianSecondsToConvert - 60) < 1e-3, String(step.medianSecondsToConvert));

  // The environment wins over .env, as the app would see it.
  const fromEnv = await runSkene(['stats', root, '--json'], { env: { DATABASE_URL: 'sqlite:///./nothing.db' } });
  assert.equal(fromEnv.code, 1);
  assert.match(
    JSON.parse(fromEnv.stdout).error.message,
    /No SQLite database at .*nothing\.db \(sqlite:\/\/\/\.\/nothing\.db \(DATABASE_URL \(the setting/,
  );
});
