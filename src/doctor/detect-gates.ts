import type { RouteFact } from '../analyze/types.js';
import { RUNTIME_ALIASES, RUNTIME_FUNCTION_NAMES, type RuntimeFunction } from '../generate/runtime-contract.js';
import type * as Parser from '../python/parse-python.js';

/** A `skene_gate("<step-id>")` dependency found on a route. `stepId` is undefined when it is not a literal. */
export interface GateUse {
  stepId: string | undefined;
  line: number;
  /** `skene_gate("<id>", identify=True)`: the caller comes from identify(request), not the auth dependency. */
  identify: boolean;
  /** `skene_gate("<id>", handler_user=True)`: the gate reads the user the handler declares. */
  handlerUser: boolean;
}

export type { RuntimeFunction };

const RUNTIME_FUNCTIONS = new Set<string>(RUNTIME_FUNCTION_NAMES);

/** `from app.skene import gate as skene_gate` at line 3. */
export interface RuntimeImport {
  module: string;
  name: RuntimeFunction;
  line: number;
}

/** A call of a runtime function in a file (`skene_install(app)`), with its first argument's text. */
export interface RuntimeCall {
  name: RuntimeFunction;
  line: number;
  firstArgument: string | undefined;
}

interface RuntimeNames {
  /** Local names bound to the runtime's functions (`skene_gate` → gate, `skene_install` → install). */
  functions: Map<string, RuntimeFunction>;
  /** Local names bound to the runtime module itself (`import app.skene as sk` → `sk.gate(...)`). */
  modules: Set<string>;
  imports: RuntimeImport[];
}

/** The parser module, loaded (with its WebAssembly grammar) by the first file a check reads. */
let parserModule: Promise<typeof import('../python/parse-python.js')> | undefined;

const RUNTIME_MODULE_NAMES = new Set(['skene', 'skene_runtime']);

function isRuntimeModule(name: string, runtimeModule: string | undefined): boolean {
  const bare = name.replace(/^\.+/, '');
  const last = bare.split('.').pop() ?? '';
  if (RUNTIME_MODULE_NAMES.has(last)) return true;
  if (!runtimeModule) return false;
  return bare === runtimeModule || runtimeModule.endsWith(`.${bare}`);
}

function collectRuntimeNames(root: Parser.SyntaxNode, runtimeModule: string | undefined): RuntimeNames {
  const names: RuntimeNames = { functions: new Map([[RUNTIME_ALIASES.gate, 'gate']]), modules: new Set(), imports: [] };
  for (const node of root.descendantsOfType(['import_from_statement', 'import_statement'])) {
    if (node.type === 'import_from_statement') {
      const moduleNode = node.childForFieldName('module_name');
      if (!moduleNode) continue;
      const moduleName = moduleNode.text;
      const fromRuntime = isRuntimeModule(moduleName, runtimeModule);
      for (const imported of node.childrenForFieldName('name')) {
        const { name, alias } = importedName(imported);
        // `from app import skene as sk` binds the runtime module itself.
        if (isRuntimeModule(`${moduleName.replace(/\.$/, '')}.${name}`, runtimeModule) && !fromRuntime) {
          names.modules.add(alias);
        } else if (fromRuntime && RUNTIME_FUNCTIONS.has(name)) {
          names.functions.set(alias, name as RuntimeFunction);
          names.imports.push({ module: moduleName, name: name as RuntimeFunction, line: node.startPosition.row + 1 });
        }
      }
    } else {
      for (const imported of node.childrenForFieldName('name')) {
        const { name, alias } = importedName(imported);
        if (isRuntimeModule(name, runtimeModule)) names.modules.add(alias);
      }
    }
  }
  return names;
}

function importedName(node: Parser.SyntaxNode): { name: string; alias: string } {
  if (node.type === 'aliased_import') {
    const name = node.childForFieldName('name')?.text ?? node.text;
    return { name, alias: node.childForFieldName('alias')?.text ?? name };
  }
  return { name: node.text, alias: node.text };
}

/** Which runtime function a call's callee names: an imported alias, or `<runtime module>.<function>`. */
function runtimeFunctionOf(callee: Parser.SyntaxNode, names: RuntimeNames): RuntimeFunction | undefined {
  if (callee.type === 'identifier') return names.functions.get(callee.text);
  if (callee.type === 'attribute') {
    const attribute = callee.childForFieldName('attribute')?.text ?? '';
    const object = callee.childForFieldName('object')?.text ?? '';
    if (!RUNTIME_FUNCTIONS.has(attribute)) return undefined;
    return names.modules.has(object) || isRuntimeModule(object, undefined) ? (attribute as RuntimeFunction) : undefined;
  }
  return undefined;
}

function stringLiteralValue(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (node?.type !== 'string') return undefined;
  if (node.descendantsOfType('interpolation').length > 0) return undefined;
  const content = node.namedChildren.filter((child) => child.type === 'string_content');
  return content.map((child) => child.text).join('');
}

/** True when the call passes `<keyword>=True` (`identify`, `handler_user`). */
function passesTrue(call: Parser.SyntaxNode, keyword: string): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  return args.some(
    (arg) =>
      arg.type === 'keyword_argument' &&
      arg.childForFieldName('name')?.text === keyword &&
      arg.childForFieldName('value')?.text === 'True',
  );
}

function firstArgument(call: Parser.SyntaxNode): Parser.SyntaxNode | undefined {
  const args = call.childForFieldName('arguments');
  return args?.namedChildren.find((child) => child.type !== 'comment');
}

/**
 * Parses each Python file once and answers, per route, which gates its registration carries; and, per
 * file, what it imports from the runtime and which runtime functions it calls.
 */
export class GateDetector {
  private readonly files = new Map<string, { root: Parser.SyntaxNode; names: RuntimeNames } | undefined>();

  constructor(
    private readonly readFile: (file: string) => string | undefined,
    private readonly runtimeModule: string | undefined,
  ) {}

  private async parsed(file: string): Promise<{ root: Parser.SyntaxNode; names: RuntimeNames } | undefined> {
    if (this.files.has(file)) return this.files.get(file);
    const text = this.readFile(file);
    let entry: { root: Parser.SyntaxNode; names: RuntimeNames } | undefined;
    if (text !== undefined) {
      parserModule ??= import('../python/parse-python.js');
      const { parsePython } = await parserModule;
      // A file whose text names neither skene nor the runtime module's last part cannot import or call the
      // runtime: its tree would give no names and no gate, so an empty module stands in for it (doctor reads
      // every route file of a large app; most have no gate).
      const lastPart = this.runtimeModule?.split('.').pop();
      const mayUseRuntime =
        text.includes('skene') || (lastPart !== undefined && lastPart !== '' && text.includes(lastPart));
      const root = parsePython(mayUseRuntime ? text : '').rootNode;
      entry = { root, names: collectRuntimeNames(root, this.runtimeModule) };
    }
    this.files.set(file, entry);
    return entry;
  }

  /** Gates in the route's registration call (decorator `dependencies=[...]`) and in router/include dependencies. */
  async gatesOf(route: RouteFact): Promise<GateUse[]> {
    const gates: GateUse[] = [];
    const entry = await this.parsed(route.file);
    if (entry) {
      const first = route.registration.span.line - 1;
      const last = route.registration.span.endLine - 1;
      for (const call of entry.root.descendantsOfType(
        'call',
        { row: first, column: 0 },
        { row: last + 1, column: 0 },
      )) {
        if (call.startPosition.row < first || call.endPosition.row > last) continue;
        const callee = call.childForFieldName('function');
        if (!callee || runtimeFunctionOf(callee, entry.names) !== 'gate') continue;
        gates.push({
          stepId: stringLiteralValue(firstArgument(call)),
          line: call.startPosition.row + 1,
          identify: passesTrue(call, 'identify'),
          handlerUser: passesTrue(call, 'handler_user'),
        });
      }
    }
    // Gates the analyzer saw on the router or include site (not inside the registration call).
    for (const dependency of route.dependencyDetails) {
      if (dependency.source !== 'router' && dependency.source !== 'include') continue;
      const match = /^([\w.]+)\s*(?:\(\s*(?:"([^"]*)"|'([^']*)'))?/.exec(dependency.name);
      if (!match) continue;
      const callee = match[1] ?? '';
      const lastPart = callee.split('.').pop() ?? '';
      const isGate =
        (entry ? entry.names.functions.get(callee) === 'gate' : callee === RUNTIME_ALIASES.gate) ||
        (callee.includes('.') && lastPart === 'gate');
      if (isGate)
        gates.push({
          stepId: match[2] ?? match[3],
          line: route.line,
          identify: /\bidentify\s*=\s*True\b/.test(dependency.name),
          handlerUser: /\bhandler_user\s*=\s*True\b/.test(dependency.name),
        });
    }
    return gates;
  }

  /** `from <module> import gate|install|handle_stripe_event` statements naming a runtime-like module. */
  async runtimeImports(file: string): Promise<RuntimeImport[]> {
    return (await this.parsed(file))?.names.imports ?? [];
  }

  /** Calls of runtime functions anywhere in the file; undefined when the file cannot be read. */
  async runtimeCalls(file: string): Promise<RuntimeCall[] | undefined> {
    const entry = await this.parsed(file);
    if (!entry) return undefined;
    const calls: RuntimeCall[] = [];
    for (const call of entry.root.descendantsOfType('call')) {
      const callee = call.childForFieldName('function');
      const name = callee ? runtimeFunctionOf(callee, entry.names) : undefined;
      if (name) calls.push({ name, line: call.startPosition.row + 1, firstArgument: firstArgument(call)?.text });
    }
    return calls;
  }
}
