import { exprText } from './extract-module-ir.js';
import type { ModuleInterpreter } from './interpret-modules.js';
import type { FunctionRecord, InterpretResult, ModuleRecord, Value } from './interpreter-values.js';
import type { ClassIR } from './python-ir.js';
import type { AuthFacts, StripeFacts, UserModelFact } from './types.js';

/** A class attribute with the class that declares it (a base class's columns are the model's too). */
interface ModelField {
  name: string;
  annotation?: string;
  call?: string;
}

/** A project class read as an ORM model: its own and inherited attributes, and what makes it a table. */
interface ModelClass {
  cls: ClassIR;
  mod: ModuleRecord;
  fields: ModelField[];
  table?: string;
  /** A table class: SQLAlchemy declarative (`__tablename__`, columns, `db.Model`) or SQLModel with `table=True`. */
  isTable: boolean;
  /** fastapi-users' `SQLAlchemyBaseUserTable...` base: `id` and `email` come from the library. */
  fastapiUsers: boolean;
  sqlmodel: boolean;
}

/** The user model names skene looks for without an auth return type, best first. */
const USER_MODEL_NAMES = ['User', 'Account', 'Customer', 'Member', 'Profile'];
/** `AppUser`, `UserModel`, `DBUser`, `UserTable`: the name around the word that says what it is. */
const NAME_AFFIXES = /^(?:App|Db|DB|Sql|SQL|Orm|ORM|Base)?(\w+?)(?:Model|Table|Orm|ORM|DB|Db|Entity|Record)?$/;

const COLUMN_CALL = /^(?:[\w.]+\.)?(?:Column|mapped_column)\s*\(/;
const SQLMODEL_FIELD_CALL = /^(?:[\w.]+\.)?Field\s*\(/;
const NOT_A_COLUMN_CALL =
  /^(?:[\w.]+\.)?(?:relationship|Relationship|association_proxy|synonym|column_property|composite|backref|deferred|query_expression)\s*\(/;
const MAPPED_ANNOTATION = /^(?:[\w.]+\.)?Mapped\s*\[/;
const PRIMARY_KEY = /\bprimary_key\s*=\s*True\b/;

/** Customer-id attribute names, best first. */
const CUSTOMER_ID_NAMES = [
  'stripe_customer_id',
  'stripe_customer',
  'customer_id',
  'stripe_id',
  'billing_customer_id',
  'stripe_cus_id',
  'payment_customer_id',
];
const BOOLEAN_PLAN_FIELD =
  /^(?:is_|has_)?(?:pro|premium|paid|paying|subscribed|subscriber|plus|vip|paid_user|pro_user|premium_user)$|^has_(?:active_)?(?:subscription|plan)$|^is_(?:subscription_active|active_subscriber)$/;
const STATUS_PLAN_FIELD = /^(?:stripe_)?(?:subscription|sub|billing|plan)_status$/;
const PLAN_FIELD =
  /^(?:(?:subscription|billing|membership|pricing|account|current|stripe)_)?(?:plan|tier)(?:_name|_type|_level)?$|^membership(?:_level)?$|^account_type$/;

/**
 * The app's user model: the project ORM class (SQLAlchemy declarative, Flask-SQLAlchemy `db.Model`, SQLModel
 * with `table=True`) the auth dependency returns, else the best-named one (`User`, `Account`, …) with an
 * email-like attribute; its id, email, Stripe customer id and own subscription-state attributes.
 */
export function detectUserModel(
  interpreter: ModuleInterpreter,
  interpreted: InterpretResult,
  auth: AuthFacts,
  stripe: StripeFacts,
): UserModelFact | undefined {
  const cache = new Map<ClassIR, ModelClass>();
  const read = (cls: ClassIR, mod: ModuleRecord): ModelClass => readModel(interpreter, cls, mod, cache, new Set());
  const seen = new Set<ClassIR>();
  const tables: ModelClass[] = [];
  for (const { definition: cls, module: mod } of interpreter.moduleClasses()) {
    if (seen.has(cls)) continue;
    seen.add(cls);
    const model = read(cls, mod);
    if (model.isTable) tables.push(model);
  }
  tables.sort(
    (a, b) => rankFile(a.mod.ir.file) - rankFile(b.mod.ir.file) || a.mod.ir.file.localeCompare(b.mod.ir.file),
  );
  const customerHints = stripe.checkoutUserLinks.flatMap((l) => (l.kind === 'customer' && l.field ? [l.field] : []));

  const primary = auth.primary;
  if (primary) {
    const record = interpreted.functions.find((f) => f.module === primary.module && f.definition.name === primary.name);
    const fromClass = record?.returnClass ? read(record.returnClass.definition, record.returnClass.module) : undefined;
    if (fromClass?.isTable) return toFact(fromClass, 'auth-return-type', customerHints);
    // A schema (`UserRead`) or a name the interpreter could not follow: the table class of that name.
    const typeName = returnTypeName(record, primary.returnType);
    const named = typeName ? tables.filter((t) => t.cls.name === typeName) : [];
    if (named[0]) return toFact(named[0], 'auth-return-type', customerHints);
  }
  const byName = tables
    .map((model) => ({ model, rank: nameRank(model.cls.name) }))
    .filter((c) => c.rank < USER_MODEL_NAMES.length && findEmailField(c.model) !== undefined)
    .sort((a, b) => a.rank - b.rank);
  return byName[0] ? toFact(byName[0].model, 'name-and-columns', customerHints) : undefined;
}

/** Test and example code last: the app's own model wins over a test double of the same name. */
function rankFile(file: string): number {
  return /(?:^|\/)(?:tests?|examples?|docs?|scripts?)\//.test(file) || /(?:^|\/)(?:test_|conftest)/.test(file) ? 1 : 0;
}

function nameRank(name: string): number {
  const exact = USER_MODEL_NAMES.indexOf(name);
  if (exact !== -1) return exact;
  const core = NAME_AFFIXES.exec(name)?.[1];
  const affixed = core === undefined ? -1 : USER_MODEL_NAMES.indexOf(core);
  // `UserModel` ranks after every exact name.
  return affixed === -1 ? USER_MODEL_NAMES.length : USER_MODEL_NAMES.length - 0.5 + affixed / 100;
}

function returnTypeName(record: FunctionRecord | undefined, returnType: string | undefined): string | undefined {
  const text = record?.returnClass?.definition.name ?? returnType;
  if (!text) return undefined;
  const match = /([A-Za-z_]\w*)\s*\]*\s*(?:\|\s*None)?\s*$/.exec(text.replace(/^Optional\[(.*)\]$/, '$1'));
  return match?.[1];
}

function readModel(
  interpreter: ModuleInterpreter,
  cls: ClassIR,
  mod: ModuleRecord,
  cache: Map<ClassIR, ModelClass>,
  visiting: Set<ClassIR>,
): ModelClass {
  const cached = cache.get(cls);
  if (cached) return cached;
  const model: ModelClass = { cls, mod, fields: [], isTable: false, fastapiUsers: false, sqlmodel: false };
  if (visiting.has(cls)) return model;
  visiting.add(cls);
  const baseValues = interpreter.baseValuesOf(cls, mod);
  const inherited: ModelField[] = [];
  let declarativeBase = false;
  let tableKeyword = false;
  cls.bases.forEach((base, i) => {
    const text = exprText(base).replace(/\s+/g, '');
    if (base.kind === 'other' && /^table=True$/.test(text)) {
      tableKeyword = true;
      return;
    }
    const value: Value | undefined = baseValues[i];
    if (value?.type === 'class') {
      const parent = readModel(interpreter, value.definition, value.module, cache, visiting);
      inherited.push(...parent.fields);
      if (parent.table !== undefined) model.table ??= parent.table;
      model.fastapiUsers ||= parent.fastapiUsers;
      model.sqlmodel ||= parent.sqlmodel;
      declarativeBase ||= parent.isTable || isDeclarativeBaseClass(parent);
      return;
    }
    const name = value?.type === 'external' ? value.name : text;
    if (/(?:^|\.)SQLModel$/.test(name) || /(?:^|\.)SQLModel$/.test(text)) model.sqlmodel = true;
    if (/SQLAlchemyBaseUserTable/.test(name) || /SQLAlchemyBaseUserTable/.test(text)) model.fastapiUsers = true;
    // `db.Model` (Flask-SQLAlchemy), `DeclarativeBase`, `Base` from `declarative_base()`; not another ORM's `Model`.
    if (isDeclarativeBaseText(text) && (value?.type !== 'external' || /sqlalchemy|sqlmodel/i.test(value.name)))
      declarativeBase = true;
    if (value?.type === 'unknown' && /declarative_base\(|registry\(\)\.generate_base\(/.test(value.text))
      declarativeBase = true;
  });
  const own: ModelField[] = cls.fields.map((f) => ({
    name: f.name,
    ...(f.annotation === undefined ? {} : { annotation: f.annotation }),
    ...(f.call === undefined ? {} : { call: f.call }),
  }));
  const tablename = cls.fields.find((f) => f.name === '__tablename__');
  if (tablename?.value?.kind === 'string') model.table = tablename.value.value;
  const byName = new Map<string, ModelField>();
  for (const field of [...inherited, ...own]) byName.set(field.name, field);
  model.fields = [...byName.values()].filter((f) => !f.name.startsWith('__') && isColumn(f, model.sqlmodel));
  const hasColumns = own.some((f) => isColumn(f, false));
  const abstract = cls.fields.some((f) => f.name === '__abstract__');
  model.isTable =
    !abstract &&
    ((model.sqlmodel && tableKeyword) ||
      model.fastapiUsers ||
      (!model.sqlmodel && (tablename !== undefined || hasColumns || (declarativeBase && own.length > 0))));
  visiting.delete(cls);
  cache.set(cls, model);
  return model;
}

/** `db.Model`, `DeclarativeBase`, `orm.DeclarativeBaseNoMeta`: what SQLAlchemy table classes derive from. */
function isDeclarativeBaseText(text: string): boolean {
  return /^\w+\.Model$/.test(text) || /(?:^|\.)(?:DeclarativeBase|DeclarativeBaseNoMeta)$/.test(text);
}

/** A declarative base of the project (`class Base(DeclarativeBase): pass`): its subclasses are tables. */
function isDeclarativeBaseClass(model: ModelClass): boolean {
  return model.cls.bases.some((b) => isDeclarativeBaseText(exprText(b).replace(/\s+/g, '')));
}

/** A mapped column: `Column(...)`, `mapped_column(...)`, `Mapped[...]`, or in SQLModel any annotated attribute. */
function isColumn(field: ModelField, sqlmodel: boolean): boolean {
  if (field.call !== undefined && NOT_A_COLUMN_CALL.test(field.call)) return false;
  if (field.annotation !== undefined && /\b(?:ClassVar|relationship|Relationship)\b/.test(field.annotation))
    return false;
  if (field.annotation !== undefined && /^(?:[\w.]+\.)?Mapped\s*\[\s*(?:list|List|set|Set)\s*\[/.test(field.annotation))
    return false;
  if (field.call !== undefined && COLUMN_CALL.test(field.call)) return true;
  if (field.annotation !== undefined && MAPPED_ANNOTATION.test(field.annotation)) return true;
  if (
    sqlmodel &&
    (field.annotation !== undefined || (field.call !== undefined && SQLMODEL_FIELD_CALL.test(field.call)))
  )
    return true;
  return false;
}

type ColumnType = 'bool' | 'str' | 'int' | 'other';

function columnType(field: ModelField): ColumnType {
  const text = `${field.annotation ?? ''} ${field.call ?? ''}`;
  if (/\bbool\b|\bBoolean\b/.test(text)) return 'bool';
  if (/\bstr\b|\bString\b|\bText\b|\bUnicode\b|\bVARCHAR\b|\bEmailStr\b|\bEmailType\b|\bEnum\b|\bCITEXT\b/i.test(text))
    return 'str';
  if (/\bint\b|\bInteger\b|\bBigInteger\b/.test(text)) return 'int';
  return 'other';
}

function findEmailField(model: ModelClass): string | undefined {
  const fields = model.fields;
  if (fields.some((f) => f.name === 'email')) return 'email';
  const named = fields.find(
    (f) =>
      /email/i.test(f.name) &&
      !/verified|confirmed|confirm|sent|token|_at$|^is_|^has_|notification|opt|enabled|subscribed|_on$/i.test(f.name) &&
      columnType(f) !== 'bool',
  );
  if (named) return named.name;
  // An `EmailStr` username: the field that holds the address, whatever its name.
  const typed = fields.find((f) => /\bEmailStr\b|\bEmailType\b/.test(`${f.annotation ?? ''} ${f.call ?? ''}`));
  if (typed) return typed.name;
  return model.fastapiUsers ? 'email' : undefined;
}

function toFact(model: ModelClass, reason: UserModelFact['reason'], customerHints: string[]): UserModelFact {
  const fields = model.fields;
  const names = new Set(fields.map((f) => f.name));
  const primaryKey = fields.find((f) => f.call !== undefined && PRIMARY_KEY.test(f.call));
  const idField = primaryKey?.name ?? 'id';
  const emailField = findEmailField(model);
  const customerIdField =
    customerHints.find((h) => names.has(h)) ??
    CUSTOMER_ID_NAMES.find((n) => names.has(n) && columnType(fields.find((f) => f.name === n)!) !== 'bool');
  const planFields: UserModelFact['planFields'] = [];
  for (const field of fields) {
    const type = columnType(field);
    if (BOOLEAN_PLAN_FIELD.test(field.name) && (type === 'bool' || type === 'other'))
      planFields.push({ name: field.name, kind: 'boolean' });
    else if (STATUS_PLAN_FIELD.test(field.name) && type !== 'bool' && type !== 'int')
      planFields.push({ name: field.name, kind: 'status' });
    else if (PLAN_FIELD.test(field.name) && type !== 'bool' && type !== 'int')
      planFields.push({ name: field.name, kind: 'plan' });
  }
  return {
    file: model.mod.ir.file,
    line: model.cls.line,
    class: model.cls.name,
    module: model.mod.ir.module,
    ...(model.table === undefined ? {} : { table: model.table }),
    idField,
    ...(emailField === undefined ? {} : { emailField }),
    ...(customerIdField === undefined ? {} : { customerIdField }),
    planFields,
    reason,
  };
}
