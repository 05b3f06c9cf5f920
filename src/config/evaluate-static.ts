import type { Node, SourceFile } from 'ts-morph';
import type { TsMorph } from './load-ts-morph.js';
import { SDK_MODULE_NAMES } from './sdk-declarations.js';

/**
 * A value read from the config's syntax tree without running it. Every value keeps the node it was
 * written at, so validation can point at the exact place; `dynamic` marks what only running the file
 * could tell (a call, an env read, an import). `literal` on objects and arrays is the `{...}` / `[...]`
 * itself, which may sit in a const that `node` (where the value is used) refers to.
 */
export type StaticValue =
  | { kind: 'string'; value: string; node: Node }
  | { kind: 'number'; value: number; node: Node }
  | { kind: 'boolean'; value: boolean; node: Node }
  | { kind: 'null'; node: Node }
  | { kind: 'undefined'; node: Node }
  | { kind: 'object'; entries: Map<string, StaticEntry>; node: Node; literal: Node }
  | { kind: 'array'; items: StaticValue[]; node: Node; literal: Node }
  | { kind: 'dynamic'; reason: string; hint: string; node: Node };

export interface StaticEntry {
  /** The property's name node (for "unknown key" reports); the spread expression for spread entries. */
  key: Node;
  value: StaticValue;
}

const LITERAL_HINT =
  'Write the value itself (a string, number, object or array literal), or a const declared in skene.config.ts.';

/** Evaluates an expression of the config statically, following same-file `const` references. */
export function evaluateStatic(tsm: TsMorph, expression: Node): StaticValue {
  return new StaticEvaluator(tsm).evaluate(expression, expression, new Set());
}

/** Strips `( )`, `as T`, `satisfies T`, `<T>x` and `x!` around an expression. */
export function unwrapExpression(tsm: TsMorph, node: Node): Node {
  const { Node: N } = tsm;
  let current = node;
  for (;;) {
    if (
      N.isParenthesizedExpression(current) ||
      N.isAsExpression(current) ||
      N.isSatisfiesExpression(current) ||
      N.isTypeAssertion(current) ||
      N.isNonNullExpression(current)
    ) {
      current = current.getExpression();
    } else {
      return current;
    }
  }
}

/**
 * The object literal passed to `defineLoop(...)` (or exported directly) in `export default ...`.
 * Returns the default export's expression when there is one; `undefined` when the file has none.
 */
export function findDefaultExportExpression(tsm: TsMorph, sourceFile: SourceFile): Node | undefined {
  const { Node: N } = tsm;
  for (const statement of sourceFile.getStatements()) {
    if (N.isExportAssignment(statement) && !statement.isExportEquals()) return statement.getExpression();
  }
  return undefined;
}

/** For `defineLoop(x)`, `x`; otherwise the expression itself (unwrapped). */
export function unwrapDefineLoop(tsm: TsMorph, expression: Node): Node {
  const unwrapped = unwrapExpression(tsm, expression);
  if (tsm.Node.isCallExpression(unwrapped) && isDefineLoopCall(tsm, unwrapped)) return unwrapped.getArguments()[0]!;
  return expression;
}

/**
 * `defineLoop(x)` returns `x`, so the reader may look through it wherever it is called: in the default
 * export, or in a const the default export names. Also under an alias
 * (`import { defineLoop as loop } from 'skene'`).
 */
function isDefineLoopCall(tsm: TsMorph, call: import('ts-morph').CallExpression): boolean {
  const { Node: N } = tsm;
  const callee = call.getExpression();
  if (!N.isIdentifier(callee) || call.getArguments().length !== 1) return false;
  if (callee.getText() === 'defineLoop') return true;
  const declaration = callee.getSymbol()?.getDeclarations()[0];
  return (
    declaration !== undefined &&
    N.isImportSpecifier(declaration) &&
    declaration.getName() === 'defineLoop' &&
    (SDK_MODULE_NAMES as readonly string[]).includes(declaration.getImportDeclaration().getModuleSpecifierValue())
  );
}

class StaticEvaluator {
  constructor(private readonly tsm: TsMorph) {}

  evaluate(expression: Node, site: Node, visiting: Set<Node>): StaticValue {
    const { Node: N, SyntaxKind } = this.tsm;
    const node = unwrapExpression(this.tsm, expression);

    if (N.isStringLiteral(node) || N.isNoSubstitutionTemplateLiteral(node)) {
      return { kind: 'string', value: node.getLiteralValue(), node: site };
    }
    if (N.isNumericLiteral(node)) return { kind: 'number', value: node.getLiteralValue(), node: site };
    if (N.isTrueLiteral(node) || N.isFalseLiteral(node))
      return { kind: 'boolean', value: N.isTrueLiteral(node), node: site };
    if (node.getKind() === SyntaxKind.NullKeyword) return { kind: 'null', node: site };
    if (N.isTemplateExpression(node)) return this.evaluateTemplate(node, site, visiting);
    if (N.isPrefixUnaryExpression(node)) return this.evaluatePrefix(node, site, visiting);
    if (N.isBinaryExpression(node)) return this.evaluateBinary(node, site, visiting);
    if (N.isObjectLiteralExpression(node)) return this.evaluateObject(node, site, visiting);
    if (N.isArrayLiteralExpression(node)) return this.evaluateArray(node, site, visiting);
    if (N.isIdentifier(node)) return this.evaluateIdentifier(node, site, visiting);
    if (N.isPropertyAccessExpression(node) || N.isElementAccessExpression(node)) {
      return this.evaluateMemberAccess(node, site, visiting);
    }
    if (N.isCallExpression(node) && isDefineLoopCall(this.tsm, node)) {
      return this.evaluate(node.getArguments()[0]!, site, visiting);
    }
    if (N.isCallExpression(node) || N.isNewExpression(node)) {
      const callee = node.getExpression().getText();
      return dynamic(site, `${callee}(...) is a function call, and skene reads skene.config.ts without running it`);
    }
    if (N.isArrowFunction(node) || N.isFunctionExpression(node)) {
      return dynamic(site, 'a function cannot be part of the loop; skene reads skene.config.ts without running it');
    }
    if (N.isConditionalExpression(node)) {
      return dynamic(site, 'a conditional expression (a ? b : c) depends on running the file');
    }
    return dynamic(site, `"${truncate(node.getText())}" cannot be read without running the file`);
  }

  private evaluateTemplate(node: import('ts-morph').TemplateExpression, site: Node, visiting: Set<Node>): StaticValue {
    let text = node.getHead().getLiteralText();
    for (const span of node.getTemplateSpans()) {
      const value = this.evaluate(span.getExpression(), span.getExpression(), visiting);
      if (value.kind === 'dynamic') return { ...value, node: site };
      if (value.kind !== 'string' && value.kind !== 'number' && value.kind !== 'boolean') {
        return dynamic(site, 'a template literal can only insert strings and numbers');
      }
      text += String(value.value) + span.getLiteral().getLiteralText();
    }
    return { kind: 'string', value: text, node: site };
  }

  private evaluatePrefix(node: import('ts-morph').PrefixUnaryExpression, site: Node, visiting: Set<Node>): StaticValue {
    const { SyntaxKind } = this.tsm;
    const operand = this.evaluate(node.getOperand(), node.getOperand(), visiting);
    if (operand.kind === 'dynamic') return { ...operand, node: site };
    const operator = node.getOperatorToken();
    if (operand.kind === 'number' && operator === SyntaxKind.MinusToken)
      return { kind: 'number', value: -operand.value, node: site };
    if (operand.kind === 'number' && operator === SyntaxKind.PlusToken)
      return { kind: 'number', value: operand.value, node: site };
    if (operand.kind === 'boolean' && operator === SyntaxKind.ExclamationToken)
      return { kind: 'boolean', value: !operand.value, node: site };
    return dynamic(site, `"${truncate(node.getText())}" cannot be read without running the file`);
  }

  private evaluateBinary(node: import('ts-morph').BinaryExpression, site: Node, visiting: Set<Node>): StaticValue {
    const { SyntaxKind } = this.tsm;
    const left = this.evaluate(node.getLeft(), node.getLeft(), visiting);
    if (left.kind === 'dynamic') return { ...left, node: site };
    const right = this.evaluate(node.getRight(), node.getRight(), visiting);
    if (right.kind === 'dynamic') return { ...right, node: site };
    const op = node.getOperatorToken().getKind();
    if (left.kind === 'number' && right.kind === 'number') {
      const a = left.value;
      const b = right.value;
      const result =
        op === SyntaxKind.PlusToken
          ? a + b
          : op === SyntaxKind.MinusToken
            ? a - b
            : op === SyntaxKind.AsteriskToken
              ? a * b
              : op === SyntaxKind.SlashToken
                ? a / b
                : undefined;
      if (result !== undefined) return { kind: 'number', value: result, node: site };
    }
    if (
      op === SyntaxKind.PlusToken &&
      (left.kind === 'string' || right.kind === 'string') &&
      (left.kind === 'string' || left.kind === 'number') &&
      (right.kind === 'string' || right.kind === 'number')
    ) {
      return { kind: 'string', value: String(left.value) + String(right.value), node: site };
    }
    return dynamic(site, `"${truncate(node.getText())}" cannot be read without running the file`);
  }

  private evaluateObject(
    node: import('ts-morph').ObjectLiteralExpression,
    site: Node,
    visiting: Set<Node>,
  ): StaticValue {
    const { Node: N } = this.tsm;
    const entries = new Map<string, StaticEntry>();
    for (const property of node.getProperties()) {
      if (N.isPropertyAssignment(property)) {
        const nameNode = property.getNameNode();
        const name = this.propertyName(nameNode, visiting);
        if (name === undefined) {
          return dynamic(nameNode, 'a computed key cannot be read without running the file');
        }
        const initializer = property.getInitializerOrThrow();
        entries.set(name, { key: nameNode, value: this.evaluate(initializer, initializer, visiting) });
      } else if (N.isShorthandPropertyAssignment(property)) {
        // `{ period }`: the name's own symbol is the property; the value is the variable it refers to.
        const nameNode = property.getNameNode();
        entries.set(nameNode.getText(), {
          key: nameNode,
          value: this.evaluateIdentifier(nameNode, nameNode, visiting, property.getValueSymbol()),
        });
      } else if (N.isSpreadAssignment(property)) {
        const spread = this.evaluate(property.getExpression(), property, visiting);
        if (spread.kind === 'dynamic') return spread;
        if (spread.kind !== 'object') return dynamic(property, 'only an object can be spread into an object');
        for (const [name, entry] of spread.entries) entries.set(name, entry);
      } else {
        return dynamic(property, 'methods and accessors cannot be part of the loop');
      }
    }
    return { kind: 'object', entries, node: site, literal: node };
  }

  private propertyName(nameNode: Node, visiting: Set<Node>): string | undefined {
    const { Node: N } = this.tsm;
    if (N.isIdentifier(nameNode) || N.isPrivateIdentifier(nameNode)) return nameNode.getText();
    if (N.isStringLiteral(nameNode) || N.isNoSubstitutionTemplateLiteral(nameNode)) return nameNode.getLiteralValue();
    if (N.isNumericLiteral(nameNode)) return String(nameNode.getLiteralValue());
    if (N.isComputedPropertyName(nameNode)) {
      const value = this.evaluate(nameNode.getExpression(), nameNode, visiting);
      if (value.kind === 'string' || value.kind === 'number') return String(value.value);
    }
    return undefined;
  }

  private evaluateArray(node: import('ts-morph').ArrayLiteralExpression, site: Node, visiting: Set<Node>): StaticValue {
    const { Node: N } = this.tsm;
    const items: StaticValue[] = [];
    for (const element of node.getElements()) {
      if (N.isSpreadElement(element)) {
        const spread = this.evaluate(element.getExpression(), element, visiting);
        if (spread.kind === 'dynamic') return spread;
        if (spread.kind !== 'array') return dynamic(element, 'only an array can be spread into an array');
        items.push(...spread.items);
      } else if (N.isOmittedExpression(element)) {
        items.push({ kind: 'undefined', node: element });
      } else {
        items.push(this.evaluate(element, element, visiting));
      }
    }
    return { kind: 'array', items, node: site, literal: node };
  }

  private evaluateIdentifier(node: Node, site: Node, visiting: Set<Node>, symbol = node.getSymbol()): StaticValue {
    const { Node: N } = this.tsm;
    const name = node.getText();
    const declarations = symbol?.getDeclarations() ?? [];
    const local = declarations.find((d) => d.getSourceFile() === node.getSourceFile());
    if (!local) {
      if (name === 'Infinity') return { kind: 'number', value: Infinity, node: site };
      if (name === 'NaN') return { kind: 'number', value: NaN, node: site };
      if (name === 'undefined') return { kind: 'undefined', node: site };
      return dynamic(site, `"${name}" is not defined in skene.config.ts`);
    }
    if (N.isImportSpecifier(local) || N.isImportClause(local) || N.isNamespaceImport(local)) {
      return dynamic(
        site,
        `"${name}" is imported from another file; skene reads only skene.config.ts, without running it`,
      );
    }
    if (N.isVariableDeclaration(local)) {
      const list = local.getVariableStatement()?.getDeclarationKind();
      if (list !== 'const') {
        return dynamic(
          site,
          `"${name}" is declared with ${list ?? 'var'}, so its value can change when the file runs`,
          `Declare it with const.`,
        );
      }
      const initializer = local.getInitializer();
      if (!initializer) return dynamic(site, `"${name}" has no value`);
      if (visiting.has(local)) return dynamic(site, `"${name}" refers to itself`);
      visiting.add(local);
      const value = this.evaluate(initializer, site, visiting);
      visiting.delete(local);
      return value;
    }
    return dynamic(site, `"${name}" is not a const value`);
  }

  private evaluateMemberAccess(
    node: import('ts-morph').PropertyAccessExpression | import('ts-morph').ElementAccessExpression,
    site: Node,
    visiting: Set<Node>,
  ): StaticValue {
    const { Node: N } = this.tsm;
    const text = node.getText();
    if (/^process\s*\.\s*env\b/.test(text) || /^import\s*\.\s*meta\s*\.\s*env\b/.test(text)) {
      return dynamic(
        site,
        `${truncate(text)} is an environment variable, read only when a program runs; skene reads skene.config.ts without running it`,
        'Write the value itself in skene.config.ts. Secrets never belong here: the runtime reads them from the environment (RESEND_API_KEY, STRIPE_WEBHOOK_SECRET, SKENE_UPGRADE_URL).',
      );
    }
    if (/^Number\s*\.\s*POSITIVE_INFINITY$/.test(text)) return { kind: 'number', value: Infinity, node: site };
    const target = this.evaluate(node.getExpression(), node.getExpression(), visiting);
    if (target.kind === 'dynamic') return { ...target, node: site };
    let key: string | undefined;
    if (N.isPropertyAccessExpression(node)) {
      key = node.getName();
    } else {
      const argument = node.getArgumentExpression();
      const value = argument ? this.evaluate(argument, argument, visiting) : undefined;
      if (value?.kind === 'string' || value?.kind === 'number') key = String(value.value);
    }
    if (key !== undefined && target.kind === 'object') {
      const entry = target.entries.get(key);
      if (entry) return { ...entry.value, node: site } as StaticValue;
    }
    if (key !== undefined && target.kind === 'array') {
      const item = /^\d+$/.test(key) ? target.items[Number(key)] : undefined;
      if (item) return { ...item, node: site } as StaticValue;
      if (key === 'length') return { kind: 'number', value: target.items.length, node: site };
    }
    return dynamic(site, `"${truncate(text)}" cannot be read without running the file`);
  }
}

function dynamic(node: Node, reason: string, hint = LITERAL_HINT): StaticValue {
  return { kind: 'dynamic', reason, hint, node };
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
