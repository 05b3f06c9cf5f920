import type { AnalysisResult } from '../analyze/types.js';
import { resolveStripeKey } from '../credentials/resolve-stripe-key.js';
import {
  type DatabaseTarget,
  parseDatabaseUrl,
  readRuntimeIntegration,
  redactDatabaseUrl,
  resolveDatabaseUrl,
} from '../database/database-url.js';
import { openDatabase } from '../database/open-database.js';
import { INTEGRATION_FILE, RUNTIME_TABLES } from '../generate/runtime-contract.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import { createStripeClient } from '../stripe/create-stripe-client.js';
import { explainStripeFailure } from '../stripe/explain-stripe-failure.js';
import { readProjectFile } from './read-project-file.js';
import { type Check, type DotenvEntry, fail, pass, warn } from './types.js';

/** The statuses in which Stripe bills a subscription: its user must never get the free limit. */
export const PAYING_STATUSES = ['active', 'trialing', 'past_due'] as const;
/** Beyond this many, doctor checks the first ones and says the rest were not checked. */
export const MAX_CHECKED_SUBSCRIPTIONS = 10_000;
const SUBSCRIPTIONS_TABLE = RUNTIME_TABLES.subscriptions;
const SHOWN = 3;

interface PayingSubscription {
  id: string;
  customer: string | null;
}

async function listPaying(
  key: string,
  env: NodeJS.ProcessEnv,
): Promise<{ subscriptions: PayingSubscription[]; complete: boolean }> {
  const stripe = await createStripeClient(key, env);
  const subscriptions: PayingSubscription[] = [];
  for (const status of PAYING_STATUSES) {
    for await (const subscription of stripe.subscriptions.list({ status, limit: 100 })) {
      const customer = subscription.customer;
      subscriptions.push({
        id: subscription.id,
        customer: typeof customer === 'string' ? customer : (customer?.id ?? null),
      });
      if (subscriptions.length >= MAX_CHECKED_SUBSCRIPTIONS) return { subscriptions, complete: false };
    }
  }
  return { subscriptions, complete: true };
}

const listOf = (ids: string[]): string =>
  ids.slice(0, SHOWN).join(', ') + (ids.length > SHOWN ? ` and ${ids.length - SHOWN} more` : '');

/** The database the runtime keeps its rows in, by the runtime's own rule, or why it cannot be known. */
async function runtimeDatabase(input: {
  root: string;
  env: NodeJS.ProcessEnv;
  dotenv: DotenvEntry[];
  analysis: AnalysisResult | undefined;
  runtime: RuntimeLocation;
}): Promise<{ target: DatabaseTarget } | { unknown: string }> {
  const file = `${input.runtime.dir}/${INTEGRATION_FILE}`;
  const source = await readProjectFile(input.root, file);
  if (source === undefined) return { unknown: `${file} is missing` };
  const resolved = resolveDatabaseUrl({
    env: input.env,
    dotenv: input.dotenv,
    integration: readRuntimeIntegration(file, source),
    database: input.analysis?.database,
  });
  if ('problem' in resolved) return { unknown: resolved.problem };
  const target = parseDatabaseUrl(resolved.url, resolved.source);
  if (!target) return { unknown: `${redactDatabaseUrl(resolved.url)} is neither SQLite nor PostgreSQL` };
  return { target };
}

/**
 * Whether skene knows every subscription Stripe bills (PRODUCT.md §5): a paying subscription with no skene
 * row, or with a row tied to no user, means a paying customer who gets the free limit. Reads Stripe with the
 * key doctor checked and skene's rows with one read-only connection; what it cannot read is a ⚠ saying so.
 */
export async function checkSubscriptions(input: {
  root: string;
  env: NodeJS.ProcessEnv;
  dotenv: DotenvEntry[];
  analysis: AnalysisResult | undefined;
  runtime: RuntimeLocation | undefined;
}): Promise<Check[]> {
  const resolved = await resolveStripeKey(input.env);
  if (!input.runtime || !resolved) return [];
  const id = 'stripe.subscriptions';
  let listed: Awaited<ReturnType<typeof listPaying>>;
  try {
    listed = await listPaying(resolved.key, input.env);
  } catch (error) {
    const explained = explainStripeFailure(error, input.env);
    return [
      warn(
        id,
        `cannot list the account's subscriptions, so whether skene knows every paying customer is unknown: ${(explained as Error).message}`,
        'Give the key read access to subscriptions, then run `skene doctor` again.',
      ),
    ];
  }
  const { subscriptions, complete } = listed;
  const partly = complete ? '' : ` (the first ${MAX_CHECKED_SUBSCRIPTIONS}; the rest were not checked)`;
  if (subscriptions.length === 0) return [pass(id, 'no subscription in Stripe is active, trialing or past due')];
  const located = await runtimeDatabase({ ...input, runtime: input.runtime });
  if ('unknown' in located) {
    return [
      warn(
        id,
        `${subscriptions.length} paying subscriptions in Stripe; whether skene holds them is unknown: ${located.unknown}`,
        'Set SKENE_DATABASE_URL to the database the app uses, then run `skene doctor` again.',
      ),
    ];
  }
  const where = `${redactDatabaseUrl(located.target.url)} (${located.target.source})`;
  const held = new Map<string, string | null>();
  try {
    const db = await openDatabase(located.target, input.root);
    try {
      if ((await db.tablesPresent([SUBSCRIPTIONS_TABLE])).length === 1) {
        const rows = await db.query(`SELECT subscription_id, user_key FROM ${SUBSCRIPTIONS_TABLE}`);
        for (const row of rows)
          held.set(String(row.subscription_id), row.user_key == null ? null : String(row.user_key));
      }
    } finally {
      await db.close();
    }
  } catch (error) {
    return [
      warn(
        id,
        `${subscriptions.length} paying subscriptions in Stripe; skene's rows in ${where} cannot be read: ${(error as Error).message}`,
        'Run `skene doctor` where the app’s database is reachable, or set SKENE_DATABASE_URL.',
      ),
    ];
  }
  const missing = subscriptions.filter((subscription) => !held.has(subscription.id));
  const unlinked = subscriptions.filter(
    (subscription) => held.has(subscription.id) && held.get(subscription.id) === null,
  );
  const checks: Check[] = [];
  if (missing.length > 0) {
    checks.push(
      fail(
        id,
        `${missing.length} of ${subscriptions.length} paying subscriptions in Stripe are unknown to skene${partly}, so their users get the free limit: ${listOf(missing.map((s) => s.id))}`,
        'Run `skene sync`: it reads them from Stripe, ties each to the app’s user and writes skene’s rows.',
      ),
    );
  }
  if (unlinked.length > 0) {
    checks.push(
      fail(
        `${id}.linked`,
        `${unlinked.length} paying subscriptions skene holds are tied to no user of the app, so those users get the free limit: customers ${listOf([...new Set(unlinked.map((s) => s.customer ?? s.id))])}`,
        'Store the customer id or email on the user (or metadata.user_id on the customer) and run `skene sync`, or call link_customer(customer_id, user_id) from the app.',
      ),
    );
  }
  if (checks.length === 0 && !complete) {
    checks.push(
      warn(
        id,
        `the first ${MAX_CHECKED_SUBSCRIPTIONS} paying subscriptions in Stripe are in ${where}, each tied to a user; the rest were not checked`,
        'Run `skene sync` to bring every subscription in.',
      ),
    );
  } else if (checks.length === 0) {
    checks.push(
      pass(id, `all ${subscriptions.length} paying subscriptions in Stripe are in ${where}, each tied to a user`),
    );
  }
  return checks;
}
