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
    if (/checkout\.(?:Session|sessions)\.create$/.test(api)) readCheckoutArguments(args, file, facts);
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

/**
 * The keyword arguments of a checkout `create(...)`, or the pairs of its params dict
 * (`client.checkout.sessions.create(params={...})`): how it ties the session to a user, and its success URL.
 */
function readCheckoutArguments(args: Node, file: string, facts: FileStripeFacts): void {
  const pairs: Array<{ key: string; value: Node; line: number }> = [];
  for (const arg of args.namedChildren) {
    if (arg.type === 'keyword_argument') {
      const key = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (key === 'params' && value?.type === 'dictionary') pairs.push(...dictionaryPairs(value));
      else if (key && value) pairs.push({ key, value, line: arg.startPosition.row + 1 });
    } else if (arg.type === 'dictionary') pairs.push(...dictionaryPairs(arg));
  }
  for (const { key, value, line } of pairs) {
    if (key === 'client_reference_id' || key === 'customer_email')
      facts.checkoutUserLinks.push({ file, line, kind: key });
    else if (key === 'customer') {
      const field = customerFieldOf(value);
      facts.checkoutUserLinks.push({ file, line, kind: 'customer', ...(field ? { field } : {}) });
    } else if (key === 'metadata' || key === 'subscription_data') {
      if (/["']user_id["']/.test(value.text)) facts.checkoutUserLinks.push({ file, line, kind: 'metadata.user_id' });
      if (/["']email["']/.test(value.text)) facts.checkoutUserLinks.push({ file, line, kind: 'metadata.email' });
    } else if (key === 'success_url') {
      const path = urlPathOf(value);
      if (path !== undefined) facts.checkoutSuccessPaths.push({ file, line, path });
    }
  }
}

function dictionaryPairs(dict: Node): Array<{ key: string; value: Node; line: number }> {
  const out: Array<{ key: string; value: Node; line: number }> = [];
  for (const pair of dict.namedChildren) {
    if (pair.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    if (key?.type === 'string' && value) out.push({ key: stringValue(key), value, line: pair.startPosition.row + 1 });
  }
  return out;
}

/**
 * The value a local name was last given before `use` in the function (or module) around it:
 * `customer_id = current_user.stripe_customer_id` then `customer=customer_id`.
 */
function localValueOf(use: Node): Node | undefined {
  let scope: Node | null = use.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  if (!scope) return undefined;
  const assigned = (assignment: Node | null): Node | undefined => {
    if (assignment?.type !== 'assignment' || assignment.startIndex >= use.startIndex) return undefined;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    return left?.type === 'identifier' && left.text === use.text && right ? right : undefined;
  };
  let found: Node | undefined;
  for (const assignment of scope.descendantsOfType('assignment')) found = assigned(assignment) ?? found;
  if (found || scope.type === 'module') return found;
  // A module-level constant: `SUCCESS_URL = "https://..."`.
  let module: Node | null = scope;
  while (module && module.type !== 'module') module = module.parent;
  for (const statement of module?.namedChildren ?? [])
    if (statement.type === 'expression_statement') found = assigned(statement.firstNamedChild) ?? found;
  return found;
}

/** `current_user.stripe_customer_id` (or `... or None`, `getattr(user, "stripe_customer_id")`, a local holding it). */
function customerFieldOf(value: Node, depth = 0): string | undefined {
  switch (value.type) {
    case 'attribute': {
      const name = value.childForFieldName('attribute')?.text;
      // `customer=customer.id`: a Stripe object's id, not a column of the user.
      return name && name !== 'id' ? name : undefined;
    }
    case 'boolean_operator':
    case 'conditional_expression':
    case 'parenthesized_expression': {
      const first = value.namedChildren[0];
      return first ? customerFieldOf(first, depth) : undefined;
    }
    case 'call': {
      const fn = value.childForFieldName('function')?.text;
      const callArgs = value.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn === 'getattr' && callArgs[1]?.type === 'string') return stringValue(callArgs[1]);
      if (fn === 'str' && callArgs[0]) return customerFieldOf(callArgs[0], depth);
      return undefined;
    }
    case 'identifier': {
      const local = depth < 3 ? localValueOf(value) : undefined;
      return local ? customerFieldOf(local, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/** A string's text with each interpolation as `\0` (f-strings) and `{{`/`}}` unescaped; undefined for other nodes. */
function templateText(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  let text = '';
  for (const child of node.namedChildren) {
    if (child.type === 'interpolation') text += '\0';
    else if (child.type === 'string_content') text += child.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  }
  return text;
}

/** The parts of a URL expression as template text: strings, f-strings, `base + "/path"`, a local holding one. */
function urlTemplateOf(value: Node, depth = 0): string | undefined {
  switch (value.type) {
    case 'string':
      return templateText(value);
    case 'concatenated_string':
      return value.namedChildren.map((c) => templateText(c) ?? '\0').join('');
    case 'binary_operator': {
      const left = value.childForFieldName('left');
      const right = value.childForFieldName('right');
      if (!left || !right || value.childForFieldName('operator')?.text !== '+') return undefined;
      const l = urlTemplateOf(left, depth) ?? '\0';
      const r = urlTemplateOf(right, depth) ?? '\0';
      // `str(request.base_url) + "billing/success"`: the base ends with a slash.
      return l === '\0' && !r.startsWith('/') && !r.startsWith('\0') ? `\0/${r}` : l + r;
    }
    case 'parenthesized_expression': {
      const inner = value.namedChildren[0];
      return inner ? urlTemplateOf(inner, depth) : undefined;
    }
    case 'identifier': {
      const local = depth < 3 ? localValueOf(value) : undefined;
      return local ? urlTemplateOf(local, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The path of a success URL: scheme and host dropped (or the interpolated base it starts with, such as
 * `{settings.FRONTEND_URL}`), query and fragment dropped; undefined unless the path itself is literal.
 */
export function urlPathOf(value: Node): string | undefined {
  const template = urlTemplateOf(value);
  if (template === undefined) return undefined;
  let rest = template.replace(/[?#][\s\S]*$/, '');
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  else rest = rest.replace(/^\0+/, '');
  if (!rest.startsWith('/') || rest.includes('\0')) return undefined;
  return rest.replace(/\/{2,}/g, '/');
}
