import type { Node, ObjectLiteralExpression, Project, SourceFile } from 'ts-morph';
import { SkeneError } from '../errors.js';
import type { LoopPlan, LoopPlanSource, LoopRecovery, LoopStep } from '../sdk/loop-types.js';
import { deriveStepId, uniqueStepId } from './derive-step-id.js';
import { type MethodSelector, parseMethodSelector } from './endpoint-glob.js';
import { evaluateStatic, findDefaultExportExpression, type StaticValue, unwrapDefineLoop } from './evaluate-static.js';
import { loadTsMorph, type TsMorph } from './load-ts-morph.js';
import { sameEndpoint, sameMethods } from './loop-rules.js';

/** What init (or a later command) wants in skene.config.ts: one step, plus optional loop-level values. */
export interface LoopUpdate {
  step: LoopStep;
  opinion?: string;
  recovery?: LoopRecovery;
  plans?: Record<string, LoopPlan>;
  /** Written whole: an existing `planSource` is replaced, not merged (its plans are one mapping); null removes it. */
  planSource?: LoopPlanSource | null;
}

type Plain = string | number | boolean | readonly Plain[] | { readonly [key: string]: Plain | undefined };
type PlainObject = { readonly [key: string]: Plain | undefined };
/** The file's habits, followed by everything skene prints into it. */
interface Style {
  quote: string;
  trailingComma: boolean;
}
interface Edit {
  start: number;
  end: number;
  text: string;
}

const MAX_INLINE_WIDTH = 100;
const DEFAULT_OPINION = 'Enforce usage limits for free tier users and trigger upgrade prompts';

let project: Project | undefined;

/**
 * The text of skene.config.ts after the update. Without an existing file, a new one in the page's shape
 * (`import { defineLoop } from 'skene'; export default defineLoop({...})`). With one, edited in place:
 * the step with the same id (or the same endpoint and methods) gets only the given values changed,
 * otherwise the step is appended; comments, formatting, quote style and other keys stay as they are.
 * The same update applied twice gives the same bytes.
 *
 * Before: `limit: { free: 100, paid: Infinity }, // agreed with sales`
 * After (free: 50): `limit: { free: 50, paid: Infinity }, // agreed with sales`
 */
export async function buildLoopConfigSource(existing: string | undefined, update: LoopUpdate): Promise<string> {
  if (existing === undefined || existing.trim() === '') return buildNewConfig(update);
  const tsm = await loadTsMorph();
  const sourceFile = parseConfig(tsm, existing);
  const writer = new ConfigEditor(tsm, sourceFile, detectQuote(tsm, sourceFile));
  const edits = writer.editsFor(update);
  const result = applyEdits(existing, edits);
  if (result !== existing && parseConfig(tsm, result, false) === undefined) {
    throw new SkeneError('skene could not update skene.config.ts safely (the edit would break its syntax).', {
      hint: 'Make the change by hand; `skene doctor` then checks the file.',
    });
  }
  return result;
}

function buildNewConfig(update: LoopUpdate): string {
  const style: Style = { quote: "'", trailingComma: true };
  const root: Record<string, Plain> = { type: 'freemium', opinion: update.opinion ?? DEFAULT_OPINION };
  if (update.plans && Object.keys(update.plans).length > 0) root.plans = plansToPlain(update.plans);
  root.steps = [stepToPlain(update.step, true)];
  if (update.planSource) root.planSource = planSourceToPlain(update.planSource);
  root.recovery = { retries: update.recovery?.retries ?? 0 };
  return [
    `import { defineLoop } from ${printString('skene', style.quote)};`,
    '',
    `export default defineLoop(${printMultiline(root, '', style)});`,
    '',
  ].join('\n');
}

function parseConfig(tsm: TsMorph, text: string): SourceFile;
function parseConfig(tsm: TsMorph, text: string, throwOnError: false): SourceFile | undefined;
function parseConfig(tsm: TsMorph, text: string, throwOnError = true): SourceFile | undefined {
  project ??= new tsm.Project({
    useInMemoryFileSystem: true,
    compilerOptions: { noEmit: true, lib: ['lib.es5.d.ts'], types: [] },
  });
  const sourceFile = project.createSourceFile('/skene.config.ts', text, { overwrite: true });
  const syntax = project.getProgram().getSyntacticDiagnostics(sourceFile);
  if (syntax.length === 0) return sourceFile;
  if (!throwOnError) return undefined;
  const first = syntax[0]!;
  const { line, column } = sourceFile.getLineAndColumnAtPos(first.getStart() ?? 0);
  throw new SkeneError(
    `skene.config.ts has a syntax error at line ${line}, column ${column}; skene will not edit it.`,
    {
      hint: 'Run `skene doctor` to see the error, fix it, then run the command again.',
    },
  );
}

class ConfigEditor {
  private readonly edits: Edit[] = [];
  private readonly text: string;

  private readonly style: Style;

  constructor(
    private readonly tsm: TsMorph,
    sourceFile: SourceFile,
    quote: string,
  ) {
    this.text = sourceFile.getFullText();
    this.style = { quote, trailingComma: detectTrailingComma(tsm, sourceFile) };
    const exported = findDefaultExportExpression(tsm, sourceFile);
    if (!exported) {
      throw new SkeneError('skene.config.ts has no default export to update.', {
        hint: 'End the file with: export default defineLoop({ ... }); or remove it and run `skene init` again.',
      });
    }
    this.root = evaluateStatic(tsm, unwrapDefineLoop(tsm, exported));
  }

  private readonly root: StaticValue;

  editsFor(update: LoopUpdate): Edit[] {
    const root = this.root;
    if (root.kind !== 'object') {
      throw new SkeneError('skene cannot update skene.config.ts: its default export is not an object skene can read.', {
        hint: 'Write the loop as export default defineLoop({ ... }).',
      });
    }
    if (update.opinion !== undefined) this.set(root, 'opinion', update.opinion);
    if (update.plans !== undefined) this.set(root, 'plans', plansToPlain(update.plans));
    this.updateStep(root, update.step);
    if (update.planSource === null) this.removeProperty(root, 'planSource');
    else if (update.planSource !== undefined) this.setWhole(root, 'planSource', planSourceToPlain(update.planSource));
    if (update.recovery !== undefined) this.set(root, 'recovery', { retries: update.recovery.retries });
    return this.edits;
  }

  private updateStep(root: Extract<StaticValue, { kind: 'object' }>, step: LoopStep): void {
    const stepsEntry = root.entries.get('steps');
    const added = stepToPlain(step, true);
    if (stepsEntry?.value.kind !== 'array') {
      if (stepsEntry) this.replace(stepsEntry.value, [added]);
      else this.insertProperty(root, 'steps', [added]);
      return;
    }
    const steps = stepsEntry.value;
    const index = findMatchingStep(steps.items, step);
    if (index === undefined) {
      this.appendElement(steps, added);
      return;
    }
    const wanted = stepToPlain(step, false);
    const existing = steps.items[index]!;
    const { id: _id, ...rest } = wanted as Record<string, Plain>;
    const ids = effectiveStepIds(steps.items);
    const target = step.id !== undefined && step.id !== ids[index] ? wanted : rest;
    this.merge(existing, target);
  }

  /** Sets each given key of `value` on the object, recursing into objects present on both sides. */
  private merge(existing: StaticValue, value: PlainObject): void {
    if (
      existing.kind !== 'object' ||
      !this.tsm.Node.isObjectLiteralExpression(existing.literal) ||
      !this.isOwnLiteral(existing)
    ) {
      const merged = mergePlain(toPlain(existing), value);
      if (!sameValue(existing, merged)) this.replace(existing, merged);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) this.set(existing, key, v);
    }
  }

  private set(object: Extract<StaticValue, { kind: 'object' }>, key: string, value: Plain): void {
    const entry = object.entries.get(key);
    if (!entry) {
      this.insertProperty(object, key, value);
      return;
    }
    if (!contains(object.literal, entry.key)) {
      // The key comes from a spread (`{ ...base, trigger }`) that other steps may share: override it here.
      const wanted = isPlainObject(value) ? mergePlain(toPlain(entry.value), value) : value;
      if (!sameValue(entry.value, wanted)) this.insertProperty(object, key, wanted);
      return;
    }
    if (isPlainObject(value) && entry.value.kind === 'object') {
      this.merge(entry.value, value);
      return;
    }
    if (!sameValue(entry.value, value)) this.replace(entry.value, value);
  }

  /** Takes a property out of the object's own literal, with its leading comments and its comma. */
  private removeProperty(object: Extract<StaticValue, { kind: 'object' }>, key: string): void {
    const entry = object.entries.get(key);
    // A key that comes from a spread is not this object's to remove.
    if (!entry || !contains(object.literal, entry.key)) return;
    const property = entry.key.getParent();
    if (!property) return;
    let start = property.getFullStart();
    let end = property.getEnd();
    const comma = /^[ \t]*,/.exec(this.text.slice(end));
    if (comma) end += comma[0].length;
    else if (!this.style.trailingComma) {
      // The last property of a file without trailing commas: the one before it loses its comma.
      const before = /,\s*$/.exec(this.text.slice(0, start));
      if (before) start = before.index;
    }
    this.edits.push({ start, end, text: '' });
  }

  /** Like `set`, but the value replaces the existing one instead of merging into it. */
  private setWhole(object: Extract<StaticValue, { kind: 'object' }>, key: string, value: Plain): void {
    const entry = object.entries.get(key);
    if (entry && sameValue(entry.value, value)) return;
    if (entry && contains(object.literal, entry.key)) this.replace(entry.value, value);
    else this.insertProperty(object, key, value);
  }

  /**
   * Whether an object may be edited inside its own `{...}`: it is written where it is used, or it sits
   * in a const used only there (`limit: LIMITS`). A const used by several steps is left alone and the
   * use replaced, so a change to one step never changes another.
   */
  private isOwnLiteral(value: Extract<StaticValue, { kind: 'object' }>): boolean {
    if (contains(value.node, value.literal)) return true;
    const { Node: N, SyntaxKind } = this.tsm;
    if (!N.isIdentifier(value.node)) return false;
    const name = value.node.getText();
    const uses = value.node
      .getSourceFile()
      .getDescendantsOfKind(SyntaxKind.Identifier)
      .filter((identifier) => {
        const parent = identifier.getParent();
        return (
          identifier.getText() === name && !(N.isVariableDeclaration(parent) && parent.getNameNode() === identifier)
        );
      });
    return uses.length === 1;
  }

  private replace(existing: StaticValue, value: Plain): void {
    const node = existing.node;
    const indent = lineIndent(this.text, node.getStart());
    const keyWidth = node.getStart() - lineStart(this.text, node.getStart());
    const parent = node.getParent();
    // `{ period }` becomes `{ period: '1w' }`, not `{ '1w' }`.
    const shorthand =
      parent !== undefined && this.tsm.Node.isShorthandPropertyAssignment(parent) ? `${node.getText()}: ` : '';
    const printed = printValue(value, indent, this.style, keyWidth + shorthand.length);
    this.edits.push({ start: node.getStart(), end: node.getEnd(), text: `${shorthand}${printed}` });
  }

  private insertProperty(object: Extract<StaticValue, { kind: 'object' }>, key: string, value: Plain): void {
    const literal = object.literal as ObjectLiteralExpression;
    if (!this.tsm.Node.isObjectLiteralExpression(literal)) {
      this.replace(object, { ...(toPlain(object) as PlainObject), [key]: value });
      return;
    }
    this.insertItem(
      literal,
      literal.getProperties(),
      (indent) =>
        `${printKey(key, this.style.quote)}: ${printValue(value, indent, this.style, indent.length + key.length + 2)}`,
    );
  }

  private appendElement(array: Extract<StaticValue, { kind: 'array' }>, value: Plain): void {
    const literal = array.literal;
    if (!this.tsm.Node.isArrayLiteralExpression(literal)) {
      this.replace(array, [...(toPlain(array) as Plain[]), value]);
      return;
    }
    this.insertItem(literal, literal.getElements(), (indent) =>
      printValue(value, indent, this.style, indent.length, true),
    );
  }

  /**
   * Adds an item after the last one of an object or array literal, in the container's own layout:
   * on its own line with the siblings' indentation and trailing-comma habit, or inline for `{ a: 1 }`.
   * A comment after the last item stays on its line.
   */
  private insertItem(container: Node, items: Node[], print: (indent: string) => string): void {
    const text = this.text;
    const open = container.getStart();
    const close = container.getEnd() - 1;
    const last = items[items.length - 1];
    if (!last) {
      const indent = lineIndent(text, open);
      const inner = `${indent}  `;
      this.edits.push({
        start: open,
        end: close + 1,
        text: `${text[open]}\n${inner}${print(inner)},\n${indent}${text[close]}`,
      });
      return;
    }
    const comma = findTrailingComma(text, last.getEnd(), close);
    const multiline =
      lineNumberAt(text, open) !== lineNumberAt(text, last.getStart()) ||
      lineNumberAt(text, last.getEnd()) !== lineNumberAt(text, close);
    if (!multiline) {
      const at = comma === undefined ? last.getEnd() : comma + 1;
      this.edits.push({
        start: at,
        end: at,
        text: `${comma === undefined ? ',' : ''} ${print('')}${comma === undefined ? '' : ','}`,
      });
      return;
    }
    const indent = lineIndent(text, last.getStart());
    const after = comma === undefined ? last.getEnd() : comma + 1;
    const lineEnd = text.indexOf('\n', after);
    const closeOnSameLine = lineEnd === -1 || lineEnd > close;
    const insertAt = closeOnSameLine ? after : lineEnd;
    if (comma === undefined) this.edits.push({ start: last.getEnd(), end: last.getEnd(), text: ',' });
    const item = `\n${indent}${print(indent)}${comma === undefined ? '' : ','}`;
    this.edits.push({
      start: insertAt,
      end: insertAt,
      text: closeOnSameLine ? `${item}\n${lineIndent(text, close)}` : item,
    });
  }
}

function findMatchingStep(items: StaticValue[], step: LoopStep): number | undefined {
  const ids = effectiveStepIds(items);
  if (step.id !== undefined) {
    const byId = ids.indexOf(step.id);
    if (byId !== -1) return byId;
  }
  const wantedMethods = parseMethodSelector(
    step.trigger.method === '*' ? '*' : (step.trigger.method as string | readonly string[]),
  );
  const index = items.findIndex((item) => {
    const trigger = triggerOf(item);
    return (
      trigger !== undefined &&
      sameEndpoint(trigger.endpoint, step.trigger.endpoint) &&
      trigger.methods !== undefined &&
      wantedMethods !== undefined &&
      sameMethods(trigger.methods, wantedMethods)
    );
  });
  return index === -1 ? undefined : index;
}

/** The ids the reader gives these steps: explicit ones, and derived ones made unique in order. */
function effectiveStepIds(items: StaticValue[]): Array<string | undefined> {
  const explicit = items.map((item) => {
    const id = item.kind === 'object' ? item.entries.get('id')?.value : undefined;
    return id?.kind === 'string' ? id.value : undefined;
  });
  const taken = new Set(explicit.filter((id): id is string => id !== undefined));
  return items.map((item, index) => {
    const given = explicit[index];
    if (given !== undefined) return given;
    const trigger = triggerOf(item);
    if (!trigger?.methods) return undefined;
    const id = uniqueStepId(deriveStepId(trigger.endpoint, trigger.methods), taken);
    taken.add(id);
    return id;
  });
}

function triggerOf(item: StaticValue): { endpoint: string; methods: MethodSelector | undefined } | undefined {
  if (item.kind !== 'object') return undefined;
  const trigger = item.entries.get('trigger')?.value;
  if (trigger?.kind !== 'object') return undefined;
  const endpoint = trigger.entries.get('endpoint')?.value;
  const method = trigger.entries.get('method')?.value;
  if (endpoint?.kind !== 'string') return undefined;
  let methods: MethodSelector | undefined;
  if (method?.kind === 'string') methods = parseMethodSelector(method.value);
  else if (method?.kind === 'array' && method.items.every((m) => m.kind === 'string')) {
    methods = parseMethodSelector(method.items.map((m) => (m as { value: string }).value));
  }
  return { endpoint: endpoint.value, methods };
}

// --- values ------------------------------------------------------------------------------------

/** What a step written new proposes for `condition.refund`: a handler that did the work and then
 * answered 4xx still counts (see PRODUCT.md §3). */
export const PROPOSED_REFUND = 'server-errors';

/** A step in the config's own key order, so new steps read like the page's. A new step (`isNew`) gets
 * the proposed `condition.refund` when the update does not say; an existing one keeps its own. */
function stepToPlain(step: LoopStep, isNew: boolean): PlainObject {
  const { trigger, condition, action } = step;
  const prompt = action.upgradePrompt;
  const refund = condition.refund ?? (isNew ? PROPOSED_REFUND : undefined);
  return compact({
    id: step.id,
    trigger: { type: trigger.type ?? 'api', endpoint: trigger.endpoint, method: trigger.method as Plain },
    condition: compact({
      type: condition.type ?? 'usage',
      limit: compact({ ...condition.limit }),
      period: condition.period,
      refund,
    }),
    action: compact({
      type: action.type ?? 'block',
      message: action.message,
      upgradeUrl: action.upgradeUrl,
      upgradePrompt: prompt && {
        type: prompt.type ?? 'email',
        provider: prompt.provider ?? 'resend',
        template: prompt.template,
      },
      warnAt: action.warnAt,
    }),
    mode: step.mode,
    failOpen: step.failOpen,
  });
}

function planSourceToPlain(source: LoopPlanSource): PlainObject {
  return {
    type: source.type,
    field: source.field,
    plans: Object.fromEntries(Object.entries(source.plans).map(([name, values]) => [name, [...values]])),
  };
}

function plansToPlain(plans: Record<string, LoopPlan>): PlainObject {
  return Object.fromEntries(Object.entries(plans).map(([name, plan]) => [name, { prices: [...plan.prices] }]));
}

function compact(object: Record<string, Plain | undefined>): PlainObject {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as PlainObject;
}

function isPlainObject(value: Plain | undefined): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergePlain(base: Plain | undefined, update: PlainObject): PlainObject {
  const result: Record<string, Plain | undefined> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    result[key] = isPlainObject(value) && isPlainObject(result[key]) ? mergePlain(result[key], value) : value;
  }
  return result as PlainObject;
}

/** A statically read value back as plain data (values skene cannot read are left out). */
function toPlain(value: StaticValue): Plain | undefined {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
    case 'array':
      return value.items.map(toPlain).filter((v): v is Plain => v !== undefined);
    case 'object':
      return Object.fromEntries(
        [...value.entries].map(([k, e]) => [k, toPlain(e.value)]).filter(([, v]) => v !== undefined),
      );
    default:
      return undefined;
  }
}

function sameValue(existing: StaticValue, value: Plain): boolean {
  if (existing.kind === 'string' || existing.kind === 'number' || existing.kind === 'boolean')
    return existing.value === value;
  if (existing.kind === 'array') {
    return (
      Array.isArray(value) &&
      value.length === existing.items.length &&
      existing.items.every((item, i) => sameValue(item, value[i]!))
    );
  }
  if (existing.kind === 'object') {
    if (!isPlainObject(value)) return false;
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    return (
      keys.length === existing.entries.size &&
      keys.every((k) => {
        const entry = existing.entries.get(k);
        return entry !== undefined && sameValue(entry.value, value[k]!);
      })
    );
  }
  return false;
}

// --- printing ----------------------------------------------------------------------------------

/** A value as TypeScript source: inline when short and flat enough, else one key per line with trailing commas. */
function printValue(
  value: Plain,
  indent: string,
  style: Style,
  column = indent.length,
  forceMultiline = false,
): string {
  if (typeof value === 'string') return printString(value, style.quote);
  if (typeof value === 'number') return printNumber(value);
  if (typeof value === 'boolean') return String(value);
  const inline = forceMultiline ? undefined : printInline(value, style);
  if (inline !== undefined && column + inline.length <= MAX_INLINE_WIDTH) return inline;
  return printMultiline(value, indent, style);
}

function printInline(value: Plain, style: Style): string | undefined {
  if (typeof value !== 'object') return printValue(value, '', style);
  if (Array.isArray(value)) {
    const items = (value as readonly Plain[]).map((item) => printInline(item, style));
    return items.some((i) => i === undefined) ? undefined : `[${items.join(', ')}]`;
  }
  const entries = Object.entries(value as PlainObject).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const parts: string[] = [];
  for (const [key, v] of entries) {
    const printed = printInline(v!, style);
    if (printed === undefined) return undefined;
    parts.push(`${printKey(key, style.quote)}: ${printed}`);
  }
  return `{ ${parts.join(', ')} }`;
}

function printMultiline(value: Plain, indent: string, style: Style): string {
  const inner = `${indent}  `;
  const join = (lines: string[]): string => lines.join(',\n') + (style.trailingComma ? ',' : '');
  if (Array.isArray(value)) {
    const items = (value as readonly Plain[]).map(
      (item) => `${inner}${printValue(item, inner, style, inner.length, isPlainObject(item))}`,
    );
    return items.length === 0 ? '[]' : `[\n${join(items)}\n${indent}]`;
  }
  const entries = Object.entries(value as PlainObject).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, v]) => {
    const head = `${printKey(key, style.quote)}: `;
    return `${inner}${head}${printValue(v!, inner, style, inner.length + head.length, key === 'steps')}`;
  });
  return `{\n${join(lines)}\n${indent}}`;
}

function printKey(key: string, quote: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : printString(key, quote);
}

function printNumber(value: number): string {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/** A string literal in the file's quote style, switching quotes when that avoids escaping (`"You've..."`). */
export function printString(value: string, preferred: string): string {
  const other = preferred === "'" ? '"' : "'";
  const quote = value.includes(preferred) && !value.includes(other) ? other : preferred;
  let body = '';
  for (const ch of value) {
    if (ch === '\\') body += '\\\\';
    else if (ch === quote) body += `\\${quote}`;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (ch === '\u2028' || ch === '\u2029' || ch.charCodeAt(0) < 0x20)
      body += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else body += ch;
  }
  return `${quote}${body}${quote}`;
}

/** Whether the file ends multi-line lists with a comma: judged by its multi-line object literals. */
function detectTrailingComma(tsm: TsMorph, sourceFile: SourceFile): boolean {
  const text = sourceFile.getFullText();
  let withComma = 0;
  let without = 0;
  for (const literal of sourceFile.getDescendantsOfKind(tsm.SyntaxKind.ObjectLiteralExpression)) {
    const last = literal.getProperties().at(-1);
    const close = literal.getEnd() - 1;
    if (!last || lineNumberAt(text, last.getEnd()) === lineNumberAt(text, close)) continue;
    if (findTrailingComma(text, last.getEnd(), close) === undefined) without++;
    else withComma++;
  }
  return withComma >= without;
}

function detectQuote(tsm: TsMorph, sourceFile: SourceFile): string {
  const first = sourceFile.getFirstDescendantByKind(tsm.SyntaxKind.StringLiteral);
  return first?.getText().startsWith('"') ? '"' : "'";
}

// --- text helpers ------------------------------------------------------------------------------

function applyEdits(text: string, edits: Edit[]): string {
  let result = text;
  // From the end backwards; of insertions at one position, the one added last is applied first so
  // they end up in the order they were added.
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => b.edit.start - a.edit.start || b.index - a.index);
  for (const { edit } of ordered) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

function contains(outer: Node, inner: Node): boolean {
  return inner.getStart() >= outer.getStart() && inner.getEnd() <= outer.getEnd();
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

function lineIndent(text: string, pos: number): string {
  const start = lineStart(text, pos);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function lineNumberAt(text: string, pos: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The position of a `,` after `from` (skipping whitespace and comments) before `limit`, if any. */
function findTrailingComma(text: string, from: number, limit: number): number | undefined {
  let i = from;
  while (i < limit) {
    const ch = text[i]!;
    if (ch === ',') return i;
    if (/\s/.test(ch)) {
      i++;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? limit : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? limit : end + 2;
    } else {
      return undefined;
    }
  }
  return undefined;
}
