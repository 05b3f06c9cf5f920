/**
 * A small, tree-free representation of the parts of a Python module the analyzer interprets.
 * Each file is parsed once, converted to this form, and its syntax tree dropped, so a large repository
 * never holds more than one tree in memory.
 */

/** 1-based lines, 0-based columns. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * An expression, by `kind`: a string (its `value` with escapes decoded), an f-string (literal parts and the
 * expressions between them), a name, an attribute (`object.name`), a call (`function(args..., keywords...)`,
 * with its span and the start of its text), a `left + right` (the only operator the interpreter evaluates), a
 * tuple/list/set (`sequence`), a dict, a subscript (`object[index...]`), a number/bool/None `literal` (only its
 * type), and anything else as `other` with its source text.
 */
export type Expr =
  | { kind: 'string'; value: string; line: number }
  | { kind: 'fstring'; parts: Array<string | Expr>; line: number }
  | { kind: 'name'; id: string; line: number }
  | { kind: 'attribute'; obj: Expr; name: string; line: number }
  | { kind: 'call'; function: Expr; args: Expr[]; keywords: Record<string, Expr>; span: Span; text: string }
  | { kind: 'binary'; left: Expr; right: Expr; line: number }
  | { kind: 'sequence'; items: Expr[]; line: number }
  | { kind: 'dict'; entries: Array<[Expr, Expr]>; line: number }
  | { kind: 'subscript'; obj: Expr; index: Expr[]; line: number }
  | { kind: 'literal'; value: 'int' | 'float' | 'bool' | 'none'; line: number }
  | { kind: 'other'; text: string; line: number };

/** An assignment's or a `for` loop's target: a name, a tuple/list of targets, or anything else (bound to nothing). */
export type Target = { kind: 'name'; id: string } | { kind: 'sequence'; items: Target[] } | { kind: 'other' };

export interface Param {
  name: string;
  annotation?: Expr;
  default?: Expr;
}

export interface FunctionIR {
  name: string;
  line: number;
  isAsync: boolean;
  decorators: Expr[];
  params: Param[];
  /** Source text of the return annotation. */
  returns?: string;
  /** Statements, or null when the body holds nothing the route resolver needs (skipped for speed). */
  body: Stmt[] | null;
  /** Some facts about the body that do not need its statements (auth: what it returns). */
  bodyFacts?: {
    returnsDict: boolean;
    subscriptKeys: string[];
    attributeNames: string[];
    returnNames: string[];
    /** Holds `yield` (a dependency that hands out a session and closes it). */
    yields: boolean;
    /** Holds `yield` or `return`. */
    givesValue: boolean;
    /** The body's text from its first `create_engine(` / `create_async_engine(` (capped), for the database's URL. */
    engineCall?: string;
    /** Assigns `request.state.user` (a dependency that puts the user on the request). */
    setsStateUser?: boolean;
    /** Raises 402, or 403 next to plan/subscription attributes: a paywall of the app's own. */
    rejectsFree?: boolean;
  };
}

export interface ClassIR {
  name: string;
  line: number;
  bases: Expr[];
  /**
   * Class-level attributes: `API_V1_STR: str = "/api/v1"`, `id = Column(...)`, `email: str`; a value only when it
   * may be a path part. `annotation`: the annotation's source text (`Mapped[str]`); `call`: the source text of a
   * call value (`Column(String, unique=True)`), capped; both for reading model columns.
   */
  fields: Array<{ name: string; value?: Expr; annotation?: string; call?: string }>;
  /** Decorated methods: route decorators in a class body register when the class is created (class-based views). */
  decoratedMethods: FunctionIR[];
}

export type ImportStmt =
  | { kind: 'import'; module: string; alias?: string; line: number }
  | {
      kind: 'from';
      module: string;
      level: number;
      names: Array<{ name: string; alias?: string }>;
      star: boolean;
      line: number;
    };

export type Stmt =
  | { kind: 'assign'; targets: Target[]; value: Expr; line: number; span: Span }
  | { kind: 'expr'; value: Expr; line: number; span: Span }
  | { kind: 'def'; function: FunctionIR }
  | { kind: 'class'; class: ClassIR }
  | ImportStmt
  | { kind: 'for'; target: Target; iter: Expr; body: Stmt[]; line: number }
  /** The statements of a branch (`if`/`elif`/`else`, `try`/`except`/`finally`, `with`, `while`): every one is taken. */
  | { kind: 'block'; body: Stmt[] }
  | { kind: 'return'; value?: Expr; line: number };

export interface ModuleIR {
  /** Path relative to the analyzed folder, POSIX. */
  file: string;
  /** Dotted module name from its source root (`app.api.deps`); `__init__.py` gives the package name. */
  module: string;
  isPackage: boolean;
  body: Stmt[];
  hasSyntaxError: boolean;
  errorLine?: number;
}
