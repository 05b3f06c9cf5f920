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

export type Expr =
  | { k: 'str'; v: string; line: number }
  | { k: 'fstr'; parts: Array<string | Expr>; line: number }
  | { k: 'name'; id: string; line: number }
  | { k: 'attr'; obj: Expr; name: string; line: number }
  | { k: 'call'; fn: Expr; args: Expr[]; kw: Record<string, Expr>; span: Span; text: string }
  | { k: 'bin'; l: Expr; r: Expr; line: number }
  | { k: 'seq'; items: Expr[]; line: number }
  | { k: 'dict'; entries: Array<[Expr, Expr]>; line: number }
  | { k: 'sub'; obj: Expr; index: Expr[]; line: number }
  | { k: 'lit'; v: 'int' | 'float' | 'bool' | 'none'; line: number }
  | { k: 'other'; text: string; line: number };

export type Target = { k: 'name'; id: string } | { k: 'seq'; items: Target[] } | { k: 'other' };

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
  | { k: 'import'; module: string; alias?: string; line: number }
  | {
      k: 'from';
      module: string;
      level: number;
      names: Array<{ name: string; alias?: string }>;
      star: boolean;
      line: number;
    };

export type Stmt =
  | { k: 'assign'; targets: Target[]; value: Expr; line: number; span: Span }
  | { k: 'expr'; value: Expr; line: number; span: Span }
  | { k: 'def'; fn: FunctionIR }
  | { k: 'class'; cls: ClassIR }
  | ImportStmt
  | { k: 'for'; target: Target; iter: Expr; body: Stmt[]; line: number }
  | { k: 'block'; body: Stmt[] }
  | { k: 'return'; value?: Expr; line: number };

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
