import type * as Parser from '../python/parse-python.js';
import { spanOf } from './extract-module-ir.js';
import { loadQuery } from './load-queries.js';
import type { StripeFacts, StripeWebhookFact } from './types.js';

type Node = Parser.SyntaxNode;

/** Stripe facts of one file; webhooks get their route once routes are resolved. */
export type FileStripeFacts = Omit<StripeFacts, 'used'>;

const STRIPE_API =
  /^(?:stripe\.(?:checkout|billing_portal|Subscription|Customer|Price|Product|PaymentIntent|Invoice|Webhook|SetupIntent|PaymentMethod|Refund|Charge|Event|WebhookEndpoint|Coupon|PromotionCode|SubscriptionItem|BillingPortal|Account|UsageRecord|TaxRate)\b|stripe\.\w+\.\w+)/;
const EVENT_TYPE = /^[a-z]+(?:_[a-z]+)*(?:\.[a-z_]+)+$/;
const ENV_READ = /(?:environ\s*\[\s*|environ\.get\(\s*|getenv\(\s*|config\(\s*)["']([A-Z0-9_]+)["']/g;
const PRICE_ID = /["']((?:price|prod)_[A-Za-z0-9]{4,})["']/g;
const LOOKUP_KEY = /lookup_keys?\s*=\s*\[?\s*["']([\w.-]+)["']/g;

export function mentionsStripe(source: string): boolean {
  return /stripe/i.test(source);
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

function stringValue(node: Node): string {
  return node.namedChildren
    .filter((c) => c.type === 'string_content')
    .map((c) => c.text)
    .join('');
}

/**
 * Local names that stand for the Stripe module or one of its members: `import stripe as stripe_sdk`
 * gives `stripe_sdk → stripe`, `from stripe import Customer, checkout` gives `Customer → stripe.Customer`.
 */
function stripeImportAliases(source: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const m of source.matchAll(/^\s*import\s+stripe\s+as\s+(\w+)/gm)) aliases.set(m[1]!, 'stripe');
  for (const m of source.matchAll(/^\s*from\s+stripe\s+import\s+(\([^)]*\)|[^\n#]+)/gm)) {
    for (const item of m[1]!.replace(/[()]/g, '').split(',')) {
      const [name, alias] = item.trim().split(/\s+as\s+/);
      if (name && /^\w+$/.test(name) && name !== 'StripeClient') aliases.set((alias ?? name).trim(), `stripe.${name}`);
    }
  }
  return aliases;
}

function normalizeStripeApi(api: string, aliases: Map<string, string>): string {
  const head = api.split('.')[0]!;
  const target = aliases.get(head);
  return target === undefined ? api : target + api.slice(head.length);
}

export function extractStripeFacts(tree: Parser.Tree, source: string, file: string): FileStripeFacts {
  const facts: FileStripeFacts = {
    imports: [],
    calls: [],
    webhooks: [],
    prices: [],
    checkoutUserLinks: [],
    checkoutSuccessPaths: [],
    apiKeyEnv: [],
    webhookSecretEnv: [],
  };
  for (const m of source.matchAll(/^\s*(?:import\s+stripe\b|from\s+stripe(?:\.\w+)*\s+import\b)/gm)) {
    facts.imports.push({ file, line: lineAt(source, m.index! + m[0].search(/\S/)) });
  }
  for (const m of source.matchAll(ENV_READ)) {
    const name = m[1]!;
    if (!/STRIPE/.test(name)) continue;
    if (/WEBHOOK|WHSEC|SIGNING|ENDPOINT_SECRET/.test(name)) facts.webhookSecretEnv.push(name);
    else if (/SECRET|API_KEY|_KEY$/.test(name) && !/PUBLISHABLE|PUBLIC/.test(name)) facts.apiKeyEnv.push(name);
  }
  // pydantic settings read fields from the environment by their (upper-cased) name.
  if (/BaseSettings/.test(source)) {
    for (const m of source.matchAll(/^\s+(stripe_\w+|STRIPE_\w+)\s*:/gim)) {
      const name = m[1]!.toUpperCase();
      if (/WEBHOOK|WHSEC|SIGNING|ENDPOINT_SECRET/.test(name)) facts.webhookSecretEnv.push(name);
      else if (/SECRET|API_KEY/.test(name)) facts.apiKeyEnv.push(name);
    }
  }
  for (const m of source.matchAll(PRICE_ID)) {
    facts.prices.push({
      file,
      line: lineAt(source, m.index!),
      id: m[1]!,
      kind: m[1]!.startsWith('price_') ? 'price' : 'product',
    });
  }
  for (const m of source.matchAll(LOOKUP_KEY))
    facts.prices.push({ file, line: lineAt(source, m.index!), id: m[1]!, kind: 'lookup_key' });

  const clientVariables = [...source.matchAll(/(\b[A-Za-z_][\w.]*)\s*=\s*(?:stripe\.)?StripeClient\(/g)].map(
    (m) => m[1]!,
  );
  const functions: Array<{ name: string; start: number; end: number; line: number }> = [];
  const calls: Array<{ api: string; node: Node; args: Node }> = [];
  const events: Array<{ value: string; index: number }> = [];
  const aliases = stripeImportAliases(source);
  const query = loadQuery('stripe');
  for (const match of query.matches(tree.rootNode)) {
    const byName = new Map(match.captures.map((c) => [c.name, c.node]));
    const fn = byName.get('definition.function');
    if (fn) {
      functions.push({
        name: byName.get('name.definition.function')?.text ?? '',
        start: fn.startIndex,
        end: fn.endIndex,
        line: fn.startPosition.row + 1,
      });
      continue;
    }
    const call = byName.get('reference.call');
    if (call) {
      const name = byName.get('name.reference.call')!;
      calls.push({
        api: normalizeStripeApi(name.text.replace(/\s+/g, ''), aliases),
        node: call,
        args: byName.get('arguments')!,
      });
      continue;
    }
    const event = byName.get('reference.event');
    if (event) {
      events.push({ value: stringValue(event), index: event.startIndex });
      continue;
    }
    const collection = byName.get('reference.event_collection');
    if (collection) {
      for (const item of collection.namedChildren)
        if (item.type === 'string') events.push({ value: stringValue(item), index: item.startIndex });
    }
  }
  const enclosing = (index: number) =>
    functions.filter((f) => f.start <= index && index < f.end).sort((a, b) => b.start - a.start)[0];

  const webhooks = new Map<string, StripeWebhookFact & { start: number; end: number }>();
  const webhookOf = (fn: { name: string; start: number; end: number; line: number }) => {
    let hook = webhooks.get(`${fn.start}`);
    if (!hook) {
      hook = { file, line: fn.line, function: fn.name, events: [], start: fn.start, end: fn.end };
      webhooks.set(`${fn.start}`, hook);
    }
    return hook;
  };
  for (const { api, node, args } of calls) {
    const isClientCall = clientVariables.some((v) => api.startsWith(`${v}.`));
    if (!STRIPE_API.test(api) && api !== 'StripeClient' && api !== 'stripe.StripeClient' && !isClientCall) continue;
    facts.calls.push({ file, line: node.startPosition.row + 1, api });
    if (/construct_event$/.test(api)) {
      const fn = enclosing(node.startIndex);
      if (fn) {
        const hook = webhookOf(fn);
        let statement: Node | null = node;
        while (statement && statement.type !== 'expression_statement') statement = statement.parent;
        const assignment = statement?.firstNamedChild;
        const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
        if (statement && !hook.constructEvent)
          hook.constructEvent = { file, ...spanOf(statement), eventVariable: left?.text ?? '' };
      }
    }
    if (/checkout\.(?:Session|sessions)\.create$/.test(api)) {
      for (const arg of args.namedChildren) {
        if (arg.type !== 'keyword_argument') continue;
        const key = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        const line = arg.startPosition.row + 1;
        if (key === 'client_reference_id' || key === 'customer_email' || key === 'customer')
          facts.checkoutUserLinks.push({ file, line, kind: key });
        else if (key === 'metadata' && value && /["']user_id["']/.test(value.text))
          facts.checkoutUserLinks.push({ file, line, kind: 'metadata.user_id' });
        else if (key === 'subscription_data' && value && /["']user_id["']/.test(value.text))
          facts.checkoutUserLinks.push({ file, line, kind: 'metadata.user_id' });
      }
    }
  }
  // A handler that reads the signature header verifies webhooks too, even through a helper.
  for (const m of source.matchAll(/stripe[-_]signature/gi)) {
    const fn = enclosing(m.index!);
    if (fn) webhookOf(fn);
  }
  const moduleLevelEvents = events.filter((e) => !enclosing(e.index) && EVENT_TYPE.test(e.value)).map((e) => e.value);
  for (const hook of webhooks.values()) {
    const own = events
      .filter((e) => e.index >= hook.start && e.index < hook.end && EVENT_TYPE.test(e.value))
      .map((e) => e.value);
    // Handlers that dispatch through a dict or helper functions in the same file.
    const local = events.filter((e) => {
      const fn = enclosing(e.index);
      return fn !== undefined && fn.start !== hook.start && EVENT_TYPE.test(e.value) && /event|hook/i.test(fn.name);
    });
    const { start: _s, end: _e, ...fact } = hook;
    facts.webhooks.push({
      ...fact,
      events: [...new Set([...own, ...moduleLevelEvents, ...local.map((e) => e.value)])],
    });
  }
  return facts;
}
