/**
 * init and the app's own record of who is paid (docs/CUSTOMER-LINKS.md): found on the user model, offered
 * in a terminal, never turned on by `--yes` alone (a line names the flag), written through --plan-source;
 * and the summary names the checkout success route where refresh_customer(...) belongs.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import type { Choice, Prompter } from '../../src/ui/prompts.js';
import { parsePlanSourceFlag } from '../../src/workflows/init-answers.js';
import { copyFixture } from '../helpers/fixtures.js';
import { runSkene } from '../login/login-harness.js';

const env = { NO_COLOR: '1', CI: '1' };
const gateFlags = ['--endpoint', '/api/documents/**', '--method', 'POST', '--limit', '3', '--provider', 'none'];

/** A small app of its own: a SQLModel user with a `tier` plan column, a success page on the frontend only. */
async function writeTierApp(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'skene-plan-source-'));
  const files: Record<string, string> = {
    'requirements.txt': 'fastapi\nsqlmodel\nstripe\n',
    'shop/__init__.py': '',
    'shop/models.py': [
      'from typing import Optional',
      'from sqlmodel import Field, SQLModel',
      '',
      '',
      'class Customer(SQLModel, table=True):',
      '    id: Optional[int] = Field(default=None, primary_key=True)',
      '    email: str',
      '    tier: str = "free"',
      '',
    ].join('\n'),
    'shop/main.py': [
      'import stripe',
      'from fastapi import Depends, FastAPI',
      'from shop.models import Customer',
      '',
      'app = FastAPI()',
      '',
      '',
      'def get_current_user(token: str = "") -> Customer:',
      '    return Customer(id=1, email="a@example.com")',
      '',
      '',
      '@app.post("/api/documents/render")',
      'def render(user: Customer = Depends(get_current_user)):',
      '    return {}',
      '',
      '',
      '@app.post("/checkout")',
      'def checkout(user: Customer = Depends(get_current_user)):',
      '    return stripe.checkout.Session.create(mode="subscription", success_url="https://shop.example/thanks")',
      '',
    ].join('\n'),
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

test('--plan-source parses a field, values for paid, values per plan and none; bad forms are usage errors', () => {
  assert.deepEqual(parsePlanSourceFlag('is_pro'), { field: 'is_pro' });
  assert.deepEqual(parsePlanSourceFlag('subscription_status=active, trialing'), {
    field: 'subscription_status',
    plans: { paid: ['active', 'trialing'] },
  });
  assert.deepEqual(parsePlanSourceFlag('level=pro:2,3;team:true'), {
    field: 'level',
    plans: { pro: [2, 3], team: [true] },
  });
  assert.deepEqual(parsePlanSourceFlag('none'), { none: true });
  for (const bad of ['user.is_pro', 'plan=', 'plan=pro:', 'plan=pro:a;pro:b', '=true'])
    assert.throws(() => parsePlanSourceFlag(bad), UsageError, bad);
});

test('--yes does not turn the found is_pro on: one line names it and the flag; the summary names the success route', async () => {
  const root = await copyFixture('link-column');
  const result = await runSkene(['init', root, ...gateFlags, '--yes'], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /The app keeps its own subscription state on the user: User\.is_pro in saas\/models\.py:8\. .*run init with --plan-source is_pro/,
  );
  const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
  assert.ok(!config.includes('planSource'), config);
  assert.match(
    result.stdout,
    /Call refresh_customer\(user\.id\) \(from saas\.skene import refresh_customer\) in GET \/billing\/success \(saas\/routers\/billing\.py:35\) so a user who has just paid is unblocked before the webhook arrives\./,
  );
});

test('--plan-source is_pro writes planSource and loop.json carries plan_source', async () => {
  const root = await copyFixture('link-column');
  const result = await runSkene(['init', root, ...gateFlags, '--yes', '--plan-source', 'is_pro'], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stderr.includes('keeps its own subscription state'), result.stderr);
  const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
  assert.match(config, /planSource: \{ type: 'user-field', field: 'is_pro', plans: \{ paid: \[true\] \} \},/);
  const loop = JSON.parse(await readFile(join(root, 'saas', 'skene', 'loop.json'), 'utf8')) as {
    plan_source?: unknown;
  };
  assert.deepEqual(loop.plan_source, { field: 'is_pro', values: [[true, 'paid']] });

  // A second run without the flag keeps the config's own planSource and changes nothing.
  const again = await runSkene(['init', root, ...gateFlags, '--yes'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await readFile(join(root, 'skene.config.ts'), 'utf8'), config);
  assert.match(again.stdout, /Already up to date/);

  // --plan-source none takes it out again.
  const none = await runSkene(['init', root, ...gateFlags, '--yes', '--plan-source', 'none'], { env });
  assert.equal(none.code, 0, none.stderr);
  assert.ok(!(await readFile(join(root, 'skene.config.ts'), 'utf8')).includes('planSource'));
  const compiled = JSON.parse(await readFile(join(root, 'saas', 'skene', 'loop.json'), 'utf8')) as object;
  assert.equal('plan_source' in compiled, false);
});

test('a plan column needs its values: --plan-source tier alone is a usage error, tier=pro,team is written', async () => {
  const root = await writeTierApp();
  const flags = ['--endpoint', '/api/documents/**', '--method', 'POST', '--provider', 'none', '--yes'];
  const bare = await runSkene(['init', root, ...flags, '--plan-source', 'tier'], { env });
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /Customer\.tier holds plan names; say which mean paid/);
  const unknown = await runSkene(['init', root, ...flags, '--plan-source', 'is_vip'], { env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did not find is_vip on the user model Customer/);

  const hinted = await runSkene(['init', root, ...flags, '--dry-run'], { env });
  assert.match(
    hinted.stderr,
    /Customer\.tier in shop\/models\.py:5\. .*--plan-source tier=<paid values, e\.g\. pro,team>/,
  );

  const written = await runSkene(['init', root, ...flags, '--plan-source', 'tier=pro,team'], { env });
  assert.equal(written.code, 0, written.stderr);
  const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
  assert.match(config, /planSource: \{ type: 'user-field', field: 'tier', plans: \{ paid: \['pro', 'team'\] \} \},/);
  // The success URL is a frontend page: no route to put refresh_customer in, so no such step.
  assert.ok(!written.stdout.includes('refresh_customer'), written.stdout);
});

/** Answers --plan-source with `field` (then `values` for a plan column); any other question takes its default. */
function planSourcePrompter(field: string, values?: string): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive: true,
    asked,
    async input(q) {
      asked.push(`${q.flag} ${q.message}`);
      if (q.flag === '--plan-source') return values ?? '';
      return q.default ?? '';
    },
    async password() {
      throw new Error('no password question in init');
    },
    async confirm(q) {
      asked.push(`${q.flag} ${q.message}`);
      return true;
    },
    async select<T>(q: { message: string; choices: Choice<T>[]; default?: T; flag: string }) {
      asked.push(
        `${q.flag} ${q.message} [${q.choices.map((c) => String(c.value)).join('|')}] default ${String(q.default)}`,
      );
      if (q.flag === '--plan-source') return field as T;
      return q.default ?? q.choices[0]!.value;
    },
  };
}

test('in a terminal init offers the found field, default first; the answer is written', async () => {
  const root = await copyFixture('link-column');
  const prompter = planSourcePrompter('is_pro');
  const result = await runSkene(['init', root, ...gateFlags], { env: { NO_COLOR: '1' }, stdinIsTTY: true, prompter });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(
    prompter.asked.includes(
      '--plan-source User (saas/models.py:8) records who is paid. Let users it marks as paid through as well? [is_pro|] default is_pro',
    ),
    prompter.asked.join('\n'),
  );
  const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
  assert.match(config, /planSource: \{ type: 'user-field', field: 'is_pro', plans: \{ paid: \[true\] \} \},/);

  const declined = await copyFixture('link-column');
  const no = await runSkene(['init', declined, ...gateFlags], {
    env: { NO_COLOR: '1' },
    stdinIsTTY: true,
    prompter: planSourcePrompter(''),
  });
  assert.equal(no.code, 0, no.stderr);
  assert.ok(!(await readFile(join(declined, 'skene.config.ts'), 'utf8')).includes('planSource'));

  const tier = await writeTierApp();
  const typed = planSourcePrompter('tier', 'pro, team');
  const named = await runSkene(
    ['init', tier, '--endpoint', '/api/documents/**', '--method', 'POST', '--provider', 'none'],
    {
      env: { NO_COLOR: '1' },
      stdinIsTTY: true,
      prompter: typed,
    },
  );
  assert.equal(named.code, 0, named.stderr);
  assert.ok(
    typed.asked.includes('--plan-source Values of tier that mean paid (comma-separated)'),
    typed.asked.join('\n'),
  );
  assert.match(await readFile(join(tier, 'skene.config.ts'), 'utf8'), /plans: \{ paid: \['pro', 'team'\] \}/);
});
