import type { RuntimeSyncOutput, RuntimeSyncSummary, SyncChange, SyncLink } from '../sync/sync-protocol.js';
import type { AppPython } from '../verify/find-python.js';
import type { Palette } from './palette.js';

export interface SyncedSubscription {
  subscriptionId: string;
  customerId: string | null;
  /** The customer's email as Stripe has it (null when it has none). */
  email: string | null;
  status: string | null;
  userKey: string | null;
  link: SyncLink | null;
  change: SyncChange;
}

export interface UnlinkedCustomer {
  customerId: string | null;
  email: string | null;
  subscriptions: Array<{ subscriptionId: string; status: string | null }>;
}

/** `skene sync --json`: a stable contract. */
export interface SyncReport {
  ok: true;
  dryRun: boolean;
  stripe: { key: string; keySource: string; subscriptions: number };
  runtime: { module: string; dir: string; startFolder: string; python: { command: string[]; source: string } };
  database: string;
  subscriptions: SyncedSubscription[];
  /** Customers of subscriptions skene holds (or would hold) that no rule tied to a user. */
  unlinkedCustomers: UnlinkedCustomer[];
  /** Listed objects the runtime could not read as subscriptions: the subscription id when it has one, and why. */
  rejected: Array<{ subscriptionId: string | null; error: string }>;
  summary: RuntimeSyncSummary;
}

export function buildSyncReport(input: {
  output: RuntimeSyncOutput;
  emails: Map<string, string | null>;
  /** The subscriptions' ids in the order they were sent, to name a rejected one. */
  ids: string[];
  listed: number;
  stripe: { key: string; keySource: string };
  runtime: { module: string; dir: string; startFolder: string; python: AppPython };
}): SyncReport {
  const subscriptions = input.output.subscriptions.map(
    (row): SyncedSubscription => ({
      subscriptionId: row.subscription_id,
      customerId: row.customer_id,
      email: input.emails.get(row.subscription_id) ?? row.customer_email ?? null,
      status: row.status,
      userKey: row.user_key,
      link: row.link,
      change: row.change,
    }),
  );
  const unlinked = new Map<string, UnlinkedCustomer>();
  for (const row of subscriptions) {
    if (row.userKey !== null || row.change === 'ignored') continue;
    const id = row.customerId ?? `(no customer) ${row.subscriptionId}`;
    const customer = unlinked.get(id) ?? { customerId: row.customerId, email: row.email, subscriptions: [] };
    customer.email ??= row.email;
    customer.subscriptions.push({ subscriptionId: row.subscriptionId, status: row.status });
    unlinked.set(id, customer);
  }
  return {
    ok: true,
    dryRun: input.output.dry_run,
    stripe: { ...input.stripe, subscriptions: input.listed },
    runtime: {
      module: input.runtime.module,
      dir: input.runtime.dir,
      startFolder: input.runtime.startFolder,
      python: { command: input.runtime.python.command, source: input.runtime.python.source },
    },
    database: input.output.database,
    subscriptions,
    unlinkedCustomers: [...unlinked.values()],
    rejected: input.output.rejected.map((item) => ({
      subscriptionId: input.ids[item.index] ?? null,
      error: item.error,
    })),
    summary: input.output.summary,
  };
}

const LINK_WORDS: Record<SyncLink, string> = {
  'metadata.user_id': "the subscription's metadata.user_id",
  'customer.metadata.user_id': "the customer's metadata.user_id",
  skene: 'a link skene recorded',
  customer_column: "the app's customer-id column",
  email: 'email',
};

/** How many lines of one kind the terminal gets; --json lists every one. */
export const LISTED_LINES = 50;

const widest = (texts: string[]): number => Math.max(0, ...texts.map((text) => text.length));

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

function limited<T>(items: T[], render: (item: T) => string, lines: string[]): void {
  for (const item of items.slice(0, LISTED_LINES)) lines.push(render(item));
  if (items.length > LISTED_LINES) lines.push(`    … and ${items.length - LISTED_LINES} more (--json lists every one)`);
}

/**
 * What sync linked (by which rule), the customers it could not link (id and email) and what it changed.
 *
 *   Linked 4 subscriptions: 2 by email, 1 by the subscription's metadata.user_id, …
 *   Changed (3):
 *     + sub_1  active  cus_1 → user 7  (email)
 */
export function renderSyncReport(report: SyncReport, p: Palette): string {
  const lines: string[] = [];
  const { summary } = report;
  const would = report.dryRun;
  lines.push(
    `${plural(report.stripe.subscriptions, 'subscription')} in Stripe (${report.stripe.key}); skene's store: ${p.accent(report.database)}`,
  );

  const linked = report.subscriptions.filter((row) => row.userKey !== null && row.change !== 'ignored');
  const byLink = new Map<string, number>();
  for (const row of linked) {
    const words = row.link ? LINK_WORDS[row.link] : 'a rule the runtime did not name';
    byLink.set(words, (byLink.get(words) ?? 0) + 1);
  }
  const rules = [...byLink.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([words, count]) => `${count} by ${words}`);
  lines.push('');
  lines.push(
    linked.length > 0
      ? `${p.success('✓')} Linked ${plural(linked.length, 'subscription')} to users: ${rules.join(', ')}.`
      : `No subscription is linked to a user.`,
  );

  const changed = report.subscriptions.filter((row) => row.change === 'created' || row.change === 'updated');
  lines.push('');
  if (changed.length === 0)
    lines.push(`${would ? 'Nothing would change' : 'Nothing changed'}: skene's rows already match Stripe.`);
  else {
    lines.push(`${would ? 'Would change' : 'Changed'} (${changed.length}):`);
    const shown = changed.slice(0, LISTED_LINES);
    const idWidth = widest(shown.map((row) => row.subscriptionId));
    const statusWidth = widest(shown.map((row) => row.status ?? '?'));
    const customerWidth = widest(shown.map((row) => row.customerId ?? '(no customer)'));
    limited(
      changed,
      (row) => {
        const mark = row.change === 'created' ? p.success('+') : p.warn('~');
        const user = row.userKey !== null ? `user ${row.userKey}` : p.warn('no user');
        const how = row.link ? ` (${LINK_WORDS[row.link]})` : '';
        const verb =
          row.change === 'created' ? (would ? 'would create' : 'created') : would ? 'would update' : 'updated';
        const columns = [
          row.subscriptionId.padEnd(idWidth),
          (row.status ?? '?').padEnd(statusWidth),
          (row.customerId ?? '(no customer)').padEnd(customerWidth),
        ];
        return `  ${mark} ${columns.join('  ')} → ${user}${how}  ${p.dim(verb)}`;
      },
      lines,
    );
  }

  if (report.unlinkedCustomers.length > 0) {
    lines.push('');
    lines.push(
      `${p.warn('⚠')} ${plural(report.unlinkedCustomers.length, 'customer')} with no matching user (treated as free until linked):`,
    );
    const shown = report.unlinkedCustomers.slice(0, LISTED_LINES);
    const idWidth = widest(shown.map((customer) => customer.customerId ?? '(no customer)'));
    const emailWidth = widest(shown.map((customer) => customer.email ?? '(no email)'));
    limited(
      report.unlinkedCustomers,
      (customer) => {
        const subs = customer.subscriptions.map((s) => `${s.subscriptionId} ${s.status ?? '?'}`).join(', ');
        const email = customer.email ?? '(no email)';
        const emailShown = (customer.email ? email : p.dim(email)) + ' '.repeat(emailWidth - email.length);
        return `  ${(customer.customerId ?? '(no customer)').padEnd(idWidth)}  ${emailShown}  ${p.dim(subs)}`;
      },
      lines,
    );
    lines.push(
      `  ${p.dim("Link them: metadata.user_id on the customer, the app's customer-id column, or a user with the same email, then run skene sync again.")}`,
    );
  }

  if (report.rejected.length > 0) {
    lines.push('');
    lines.push(
      `${p.warn('⚠')} ${plural(report.rejected.length, 'subscription')} the runtime could not read (left as they were):`,
    );
    limited(report.rejected, (item) => `  ${item.subscriptionId ?? '(no id)'}  ${item.error}`, lines);
  }

  lines.push('');
  lines.push(
    `Summary: ${summary.linked} linked, ${summary.unlinked} unlinked, ${summary.created} ${would ? 'to create' : 'created'}, ${summary.updated} ${would ? 'to update' : 'updated'}, ${summary.unchanged} unchanged, ${summary.ignored} ignored (ended, never held by skene).`,
  );
  if (would) lines.push(p.warn('Dry run: nothing was written. Run without --dry-run to write these rows.'));
  return `${lines.join('\n')}\n`;
}
