/**
 * A deterministic synthetic FastAPI codebase for the analyzer benchmark: one app, `api_router` included
 * under `/api` with `prefix=settings.API_V1_STR`, domain routers included into it, feature routers
 * included into those (three levels of include_router, prefixes on both APIRouter(prefix=) and
 * include_router(prefix=)), and between the routes the code a real service carries: pydantic schemas,
 * SQLAlchemy models, services and repositories with long functions, docstrings and comments.
 *
 * The generator knows every route it writes, so the benchmark can check the analyzer found them all.
 * The code is importable Python (Debian's FastAPI 0.92, SQLAlchemy 1.4/2.0, pydantic v1/v2), so the
 * expected route table can also be checked against FastAPI's own (`--check-fastapi`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SyntheticOptions {
  seed: number;
  /** Exact number of .py files written. */
  files: number;
  /** Approximate total size in bytes. */
  targetBytes: number;
}

export interface SyntheticRoute {
  method: string;
  path: string;
}

export interface SyntheticCodebase {
  files: number;
  bytes: number;
  routes: SyntheticRoute[];
}

/** mulberry32: a small seeded PRNG, so the same seed writes the same bytes. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOMAINS = [
  'billing',
  'catalog',
  'accounts',
  'inventory',
  'shipping',
  'analytics',
  'support',
  'marketing',
  'payroll',
  'scheduling',
  'documents',
  'messaging',
  'compliance',
  'procurement',
  'research',
  'fleet',
  'learning',
  'security',
  'partners',
  'reporting',
  'warehouse',
  'loyalty',
  'pricing',
  'identity',
];
const ADJECTIVES = [
  'Active',
  'Archived',
  'Batch',
  'Custom',
  'Daily',
  'Draft',
  'External',
  'Global',
  'Internal',
  'Linked',
  'Managed',
  'Nested',
  'Open',
  'Pending',
  'Primary',
  'Recurring',
  'Scheduled',
  'Shared',
  'Tagged',
  'Verified',
];
const NOUNS = [
  'Invoice',
  'Ledger',
  'Product',
  'Account',
  'Shipment',
  'Report',
  'Ticket',
  'Campaign',
  'Payslip',
  'Slot',
  'Document',
  'Thread',
  'Policy',
  'Order',
  'Sample',
  'Vehicle',
  'Course',
  'Token',
  'Contract',
  'Metric',
  'Pallet',
  'Reward',
  'Quote',
  'Profile',
  'Voucher',
  'Asset',
  'Batch',
  'Budget',
  'Claim',
  'Device',
];
const VERBS = [
  'compute',
  'merge',
  'reconcile',
  'normalize',
  'validate',
  'collect',
  'summarize',
  'project',
  'rank',
  'score',
];
const FIELDS = [
  'name',
  'title',
  'status',
  'amount',
  'currency',
  'quantity',
  'reference',
  'notes',
  'priority',
  'region',
  'category',
  'owner_email',
  'external_id',
  'score',
  'weight',
  'label',
  'code',
  'source',
  'channel',
  'tier',
];

const snake = (camel: string): string => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

class Writer {
  readonly random: () => number;
  bytes = 0;
  files = 0;

  constructor(
    readonly root: string,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  write(path: string, text: string): void {
    const full = join(this.root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    this.bytes += Buffer.byteLength(text);
    this.files++;
  }
}

/** A long, plain helper function: the bulk of a real service module, no routing in it. */
function longFunction(w: Writer, name: string, model: string): string {
  const fields = [w.pick(FIELDS), w.pick(FIELDS), w.pick(FIELDS)];
  const verb = w.pick(VERBS);
  const lines = [
    `def ${name}(db: Session, records: List[${model}], options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:`,
    `    """${verb.charAt(0).toUpperCase()}${verb.slice(1)} the ${snake(model).replace(/_/g, ' ')} records for a batch job.`,
    '',
    '    The records come from the repository in creation order; the result is a summary the caller',
    `    stores beside the batch. Empty batches are allowed and give an empty summary.`,
    '    """',
    '    options = dict(options or {})',
    `    threshold = float(options.get("threshold", ${w.int(1, 90)}.${w.int(0, 9)}))`,
    '    seen: Dict[str, int] = {}',
    '    totals: Dict[str, float] = {}',
    '    rejected: List[str] = []',
  ];
  const loops = w.int(2, 4);
  for (let i = 0; i < loops; i++) {
    const field = fields[i % fields.length] as string;
    lines.push(
      `    # Pass ${i + 1}: group by ${field} and drop the records that cannot be ${verb}d.`,
      '    for index, record in enumerate(records):',
      `        key = str(getattr(record, "${field}", None) or "unknown")`,
      '        if key in seen and seen[key] > threshold:',
      '            rejected.append("%s:%d" % (key, index))',
      '            continue',
      '        seen[key] = seen.get(key, 0) + 1',
      `        weight = float(getattr(record, "weight", 1) or 1) * ${(w.random() * 3 + 0.5).toFixed(3)}`,
      '        if weight < 0:',
      `            logger.warning("negative weight on %s %s", "${model}", key)`,
      '            weight = 0.0',
      '        totals[key] = totals.get(key, 0.0) + weight',
      `        if options.get("strict") and len(key) > ${w.int(12, 64)}:`,
      '            raise ValueError("key too long: %r" % key)',
    );
  }
  lines.push(
    '    try:',
    '        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))',
    '    except TypeError as exc:  # mixed key types from legacy rows',
    `        logger.error("cannot rank ${snake(model)} totals: %s", exc)`,
    '        ranked = list(totals.items())',
    '    summary = {',
    '        "count": len(records),',
    '        "groups": len(seen),',
    '        "rejected": rejected[:100],',
    `        "top": [{"key": key, "total": round(total, ${w.int(2, 4)})} for key, total in ranked[:${w.int(5, 20)}]],`,
    `        "generated_at": datetime.utcnow().isoformat(),`,
    '    }',
    '    if options.get("persist"):',
    '        db.flush()',
    '    return summary',
    '',
    '',
  );
  return lines.join('\n');
}

interface Feature {
  domain: string;
  slug: string;
  module: string;
  dir: string;
  model: string;
  table: string;
  /** Style of the router prefix: on APIRouter (literal or f-string of a constant) or on include_router. */
  prefixStyle: 'router-literal' | 'router-fstring' | 'include';
}

function writeSchemas(w: Writer, f: Feature, targetBytes: number): void {
  const parts = [
    `"""Request and response schemas of the ${f.slug} API."""`,
    'from datetime import datetime',
    'from typing import Any, Dict, List, Optional',
    '',
    'from pydantic import BaseModel, Field',
    '',
    '',
  ];
  let n = 0;
  const body = (): string => parts.join('\n');
  while (body().length < targetBytes) {
    const name = `${f.model}${n === 0 ? '' : `Part${n}`}`;
    const fields = [...new Set([w.pick(FIELDS), w.pick(FIELDS), w.pick(FIELDS), w.pick(FIELDS), w.pick(FIELDS)])];
    parts.push(
      `class ${name}Base(BaseModel):`,
      `    """Fields shared by every ${snake(name).replace(/_/g, ' ')} payload."""`,
      '',
      ...fields.map((field, i) =>
        i % 2 === 0
          ? `    ${field}: Optional[str] = Field(None, max_length=${w.int(32, 512)}, description="The ${field.replace(/_/g, ' ')}.")`
          : `    ${field}: Optional[float] = None  # ${w.pick(VERBS)}d by the service when missing`,
      ),
      '',
      '',
      `class ${name}Create(${name}Base):`,
      `    tags: List[str] = []`,
      `    metadata: Dict[str, Any] = {}`,
      '',
      '',
      `class ${name}Update(${name}Base):`,
      '    """Every field optional: a PATCH sends only what changes."""',
      '',
      '    version: Optional[int] = None',
      '',
      '',
      `class ${name}Out(${name}Base):`,
      '    id: int',
      '    created_at: Optional[datetime] = None',
      '    updated_at: Optional[datetime] = None',
      '',
      '    class Config:',
      '        orm_mode = True',
      '',
      '',
    );
    n++;
  }
  w.write(`${f.dir}/schemas.py`, body());
}

function writeModels(w: Writer, f: Feature, targetBytes: number): void {
  const parts = [
    `"""SQLAlchemy models of the ${f.slug} feature."""`,
    'from datetime import datetime',
    '',
    'from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Text',
    'from sqlalchemy.orm import relationship',
    '',
    'from app.db.base import Base',
    '',
    '',
    `class ${f.model}(Base):`,
    `    __tablename__ = "${f.table}"`,
    '',
    '    id = Column(Integer, primary_key=True, index=True)',
    '    owner_id = Column(Integer, ForeignKey("users.id"), nullable=True, index=True)',
    '    weight = Column(Float, default=1.0)',
    '    created_at = Column(DateTime, default=datetime.utcnow)',
    '    updated_at = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)',
    '    archived = Column(Boolean, default=False, nullable=False)',
    ...[...new Set(FIELDS.slice(0, 12))].map(
      (field) => `    ${field} = Column(String(${w.int(32, 255)}), nullable=True)`,
    ),
    `    entries = relationship("${f.model}Entry", back_populates="parent", cascade="all, delete-orphan")`,
    '',
    '    def __repr__(self) -> str:',
    `        return "<${f.model} %s %s>" % (self.id, self.name)`,
    '',
    '',
    `class ${f.model}Entry(Base):`,
    `    __tablename__ = "${f.table}_entries"`,
    '',
    '    id = Column(Integer, primary_key=True)',
    `    parent_id = Column(Integer, ForeignKey("${f.table}.id"), nullable=False, index=True)`,
    '    body = Column(Text, nullable=True)',
    '    position = Column(Integer, default=0)',
    `    parent = relationship("${f.model}", back_populates="entries")`,
    '',
    '',
  ];
  let n = 0;
  const body = (): string => parts.join('\n');
  while (body().length < targetBytes) {
    n++;
    parts.push(
      `class ${f.model}Audit${n}(Base):`,
      `    """Audit trail, partition ${n}: one row per change to a ${snake(f.model).replace(/_/g, ' ')}."""`,
      '',
      `    __tablename__ = "${f.table}_audit_${n}"`,
      '',
      '    id = Column(Integer, primary_key=True)',
      `    subject_id = Column(Integer, ForeignKey("${f.table}.id"), index=True)`,
      '    action = Column(String(32), nullable=False)',
      '    payload = Column(Text, nullable=True)',
      '    at = Column(DateTime, default=datetime.utcnow)',
      '',
      '',
    );
  }
  w.write(`${f.dir}/models.py`, body());
}

function writeLongModule(
  w: Writer,
  path: string,
  doc: string,
  imports: string[],
  model: string,
  targetBytes: number,
  prefix: string,
): void {
  const head = [
    `"""${doc}"""`,
    'import logging',
    'from datetime import datetime',
    'from typing import Any, Dict, List, Optional',
    '',
    'from sqlalchemy.orm import Session',
    '',
    ...imports,
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
  ].join('\n');
  const parts = [head];
  let length = head.length;
  for (let n = 0; length < targetBytes; n++) {
    const fn = longFunction(w, `${prefix}_${w.pick(VERBS)}_${n}`, model);
    parts.push(fn);
    length += fn.length;
  }
  w.write(path, parts.join(''));
}

function writeService(w: Writer, f: Feature, targetBytes: number): void {
  const crud = [
    `def list_items(db: Session, owner_id: Optional[int] = None, skip: int = 0, limit: int = 100) -> List[${f.model}]:`,
    '    """Items visible to the owner, newest first."""',
    `    query = db.query(${f.model}).filter(${f.model}.archived.is_(False))`,
    '    if owner_id is not None:',
    `        query = query.filter(${f.model}.owner_id == owner_id)`,
    `    return query.order_by(${f.model}.id.desc()).offset(skip).limit(limit).all()`,
    '',
    '',
    `def get_item(db: Session, item_id: int) -> Optional[${f.model}]:`,
    `    return db.query(${f.model}).filter(${f.model}.id == item_id).first()`,
    '',
    '',
    `def create_item(db: Session, data: Dict[str, Any], owner_id: Optional[int] = None) -> ${f.model}:`,
    `    item = ${f.model}(owner_id=owner_id, **{k: v for k, v in data.items() if hasattr(${f.model}, k)})`,
    '    db.add(item)',
    '    db.commit()',
    '    db.refresh(item)',
    '    return item',
    '',
    '',
  ].join('\n');
  writeLongModule(
    w,
    `${f.dir}/service.py`,
    `Business rules of the ${f.slug} feature: everything the routes call.`,
    [`from ${f.module}.models import ${f.model}`, '', '', crud],
    f.model,
    targetBytes,
    'batch',
  );
}

const ITEM_PATH = '/{item_id}';

/** Writes the feature's routes module and returns the (method, local path) pairs it registers. */
function writeRoutes(w: Writer, f: Feature, targetBytes: number): Array<{ method: string; path: string }> {
  const lower = snake(f.model);
  const routerLine =
    f.prefixStyle === 'router-literal'
      ? `router = APIRouter(prefix="/${f.slug}", tags=["${f.slug}"])`
      : f.prefixStyle === 'router-fstring'
        ? `RESOURCE = "${f.slug}"\nrouter = APIRouter(prefix=f"/{RESOURCE}", tags=[RESOURCE])`
        : `router = APIRouter(tags=["${f.slug}"])`;
  const head = [
    `"""HTTP API of the ${f.slug} feature (${f.domain}).`,
    '',
    'Handlers stay thin: validation in the schemas, rules in the service, queries in the repository.',
    '"""',
    'import logging',
    'from datetime import datetime',
    'from typing import Any, Dict, List, Optional',
    '',
    'from fastapi import APIRouter, Depends, HTTPException, Query, status',
    'from sqlalchemy.orm import Session',
    '',
    'from app.api.deps import get_current_user',
    'from app.db.session import get_db',
    'from app.models.user import User',
    `from ${f.module} import schemas, service`,
    `from ${f.module}.models import ${f.model}`,
    '',
    'logger = logging.getLogger(__name__)',
    '',
    routerLine,
    `ITEM_PATH = "${ITEM_PATH}"`,
    '',
    '',
  ].join('\n');

  type RouteSpec = { method: string; path: string; code: string };
  const candidates: RouteSpec[] = [
    {
      method: 'GET',
      path: '',
      code: [
        `@router.get("", response_model=List[schemas.${f.model}Out])`,
        `def list_${lower}s(`,
        '    skip: int = 0,',
        '    limit: int = Query(100, le=500),',
        '    db: Session = Depends(get_db),',
        '    current_user: User = Depends(get_current_user),',
        '):',
        `    """Lists the ${lower.replace(/_/g, ' ')}s the current user owns."""`,
        '    return service.list_items(db, owner_id=current_user.id, skip=skip, limit=limit)',
      ].join('\n'),
    },
    {
      method: 'POST',
      path: '/',
      code: [
        `@router.post("/", response_model=schemas.${f.model}Out, status_code=status.HTTP_201_CREATED)`,
        `def create_${lower}(`,
        `    payload: schemas.${f.model}Create,`,
        '    db: Session = Depends(get_db),',
        '    current_user: User = Depends(get_current_user),',
        '):',
        '    # The owner is always the caller; the payload cannot choose it.',
        '    return service.create_item(db, payload.dict(exclude_unset=True), owner_id=current_user.id)',
      ].join('\n'),
    },
    {
      method: 'GET',
      path: ITEM_PATH,
      code: [
        `@router.get(ITEM_PATH, response_model=schemas.${f.model}Out)`,
        `def read_${lower}(item_id: int, db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):`,
        '    item = _owned_or_404(db, item_id, current_user)',
        '    return item',
      ].join('\n'),
    },
    {
      method: 'PATCH',
      path: ITEM_PATH,
      code: [
        `@router.patch(ITEM_PATH, response_model=schemas.${f.model}Out)`,
        `def update_${lower}(`,
        '    item_id: int,',
        `    payload: schemas.${f.model}Update,`,
        '    db: Session = Depends(get_db),',
        '    current_user: User = Depends(get_current_user),',
        '):',
        '    item = _owned_or_404(db, item_id, current_user)',
        '    for key, value in payload.dict(exclude_unset=True).items():',
        '        setattr(item, key, value)',
        '    db.commit()',
        '    return item',
      ].join('\n'),
    },
    {
      method: 'DELETE',
      path: ITEM_PATH,
      code: [
        `@router.delete(ITEM_PATH, status_code=status.HTTP_204_NO_CONTENT)`,
        `def delete_${lower}(item_id: int, db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):`,
        '    item = _owned_or_404(db, item_id, current_user)',
        '    item.archived = True  # soft delete: audits keep pointing at the row',
        '    db.commit()',
      ].join('\n'),
    },
    {
      method: 'POST',
      path: `${ITEM_PATH}/archive`,
      code: [
        `@router.post(ITEM_PATH + "/archive")`,
        `def archive_${lower}(item_id: int, db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):`,
        '    item = _owned_or_404(db, item_id, current_user)',
        '    item.archived = True',
        '    db.commit()',
        '    return {"archived": True, "id": item.id}',
      ].join('\n'),
    },
    {
      method: 'GET',
      path: '/search',
      code: [
        `@router.get("/search", response_model=List[schemas.${f.model}Out])`,
        `def search_${lower}s(q: str = Query(..., min_length=2), db: Session = Depends(get_db)):`,
        `    """Full-text search over names; case-insensitive, at most 50 hits."""`,
        `    pattern = "%%%s%%" % q.replace("%", "")`,
        `    return db.query(${f.model}).filter(${f.model}.name.ilike(pattern)).limit(50).all()`,
      ].join('\n'),
    },
    {
      method: 'GET+HEAD',
      path: '/export',
      code: [
        `@router.api_route("/export", methods=["GET", "HEAD"])`,
        `def export_${lower}s(db: Session = Depends(get_db), current_user: User = Depends(get_current_user)):`,
        '    rows = service.list_items(db, owner_id=current_user.id, limit=10000)',
        '    return {"count": len(rows), "exported_at": datetime.utcnow().isoformat()}',
      ].join('\n'),
    },
    {
      method: 'PUT',
      path: `${ITEM_PATH}/entries`,
      code: [
        `@router.put(f"{ITEM_PATH}/entries")`,
        `def replace_${lower}_entries(item_id: int, entries: List[str], db: Session = Depends(get_db)):`,
        '    # Replaces the entries wholesale; positions follow the list order.',
        `    item = db.query(${f.model}).get(item_id)`,
        '    if item is None:',
        '        raise HTTPException(status_code=404, detail="not found")',
        '    return {"id": item_id, "entries": len(entries)}',
      ].join('\n'),
    },
  ];
  const chosen = candidates.filter((_, i) => i < 3 || w.random() < 0.7);
  const statsHandler = [
    `def ${lower}_stats(db: Session = Depends(get_db)) -> Dict[str, Any]:`,
    `    total = db.query(${f.model}).count()`,
    `    archived = db.query(${f.model}).filter(${f.model}.archived.is_(True)).count()`,
    '    return {"total": total, "archived": archived}',
    '',
    '',
    `router.add_api_route("/stats", ${lower}_stats, methods=["GET"])`,
  ].join('\n');
  const withStats = w.random() < 0.5;

  const helper = [
    `def _owned_or_404(db: Session, item_id: int, user: User) -> ${f.model}:`,
    '    """The item when the user owns it; 404 otherwise, so ids of other users leak nothing."""',
    '    item = service.get_item(db, item_id)',
    '    if item is None or (item.owner_id is not None and item.owner_id != user.id):',
    '        raise HTTPException(status_code=404, detail="not found")',
    '    return item',
    '',
    '',
  ].join('\n');

  const parts: string[] = [head, helper];
  const routes: Array<{ method: string; path: string }> = [];
  let filler = 0;
  let length = head.length + helper.length;
  const addHelper = (): void => {
    const fn = `\n\n${longFunction(w, `_${w.pick(VERBS)}_${lower}_${filler++}`, f.model).trimEnd()}\n\n\n`;
    parts.push(fn);
    length += fn.length;
  };
  // Long helpers between the routes, spread evenly, as services grown inside route modules are.
  for (const [i, route] of chosen.entries()) {
    while (length < (targetBytes * (i + 1)) / (chosen.length + 1)) addHelper();
    const code = `${route.code}\n\n\n`;
    parts.push(code);
    length += code.length;
    for (const method of route.method.split('+')) routes.push({ method, path: route.path });
  }
  if (withStats) {
    parts.push(`${statsHandler}\n`);
    routes.push({ method: 'GET', path: '/stats' });
  }
  while (length < targetBytes) addHelper();
  w.write(`${f.dir}/routes.py`, parts.join(''));
  return routes;
}

/**
 * Writes the codebase under `root` (an empty folder) and returns what it wrote, with the full route table
 * FastAPI serves for it.
 */
export function writeSyntheticFastApiCodebase(root: string, options: SyntheticOptions): SyntheticCodebase {
  const w = new Writer(root, options.seed);
  const routes: SyntheticRoute[] = [];
  const featuresPerDomain = 12;
  const filesPerFeature = 7;
  const fixedFiles = 14;
  // 20 domains from 1,754 files on (the benchmark's 2,000 has them all); fewer for a smaller codebase.
  const domains = DOMAINS.slice(
    0,
    Math.max(1, Math.min(20, Math.floor((options.files - fixedFiles) / (3 + featuresPerDomain * filesPerFeature)))),
  );
  const fillerFiles = options.files - fixedFiles - domains.length * (3 + featuresPerDomain * filesPerFeature);
  if (fillerFiles < 0) throw new Error(`at least ${options.files - fillerFiles} files are needed`);
  // Byte budgets per file kind (relative weights), scaled so the total lands near targetBytes.
  const features = domains.length * featuresPerDomain;
  const weights = {
    schemas: 0.8,
    models: 0.7,
    service: 1.4,
    repository: 1.1,
    events: 0.9,
    routes: 1.6,
    filler: 0.9,
    security: 1,
  };
  const featureWeight =
    weights.schemas + weights.models + weights.service + weights.repository + weights.events + weights.routes;
  // Whole functions overshoot each budget by about half a function.
  const unit =
    (0.93 * options.targetBytes) / (features * featureWeight + fillerFiles * weights.filler + weights.security);
  const size = (weight: number): number => Math.round(unit * weight * (0.7 + w.random() * 0.6));

  mkdirSync(root, { recursive: true });
  // For test/helpers/dump_routes.py (`--check-fastapi`): where the app is.
  writeFileSync(join(root, 'fixture.json'), `${JSON.stringify({ app: 'app.main:app', pythonPath: '.' })}\n`);
  w.write('app/__init__.py', '"""The synthetic service used by skene\'s analyzer benchmark."""\n');
  w.write('app/core/__init__.py', '');
  w.write(
    'app/core/config.py',
    [
      '"""Settings read from the environment, with defaults for local runs."""',
      'import os',
      '',
      '',
      'class Settings:',
      '    PROJECT_NAME: str = "synthetic"',
      '    API_V1_STR: str = "/v1"',
      '    SECRET_KEY: str = os.environ.get("SECRET_KEY", "change-me")',
      '    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24',
      '',
      '',
      'settings = Settings()',
      '',
    ].join('\n'),
  );
  writeLongModule(
    w,
    'app/core/security.py',
    'Password hashing and token helpers.',
    ['from app.models.user import User'],
    'User',
    size(weights.security),
    'token',
  );
  w.write('app/db/__init__.py', '');
  w.write('app/db/base.py', 'from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n');
  w.write(
    'app/db/session.py',
    [
      'import os',
      '',
      'from sqlalchemy import create_engine',
      'from sqlalchemy.orm import sessionmaker',
      '',
      'DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./synthetic.db")',
      'engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {})',
      'SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)',
      '',
      '',
      'def get_db():',
      '    db = SessionLocal()',
      '    try:',
      '        yield db',
      '    finally:',
      '        db.close()',
      '',
    ].join('\n'),
  );
  w.write('app/models/__init__.py', '');
  w.write(
    'app/models/user.py',
    [
      'from sqlalchemy import Boolean, Column, Integer, String',
      '',
      'from app.db.base import Base',
      '',
      '',
      'class User(Base):',
      '    __tablename__ = "users"',
      '',
      '    id = Column(Integer, primary_key=True)',
      '    email = Column(String(255), unique=True, index=True, nullable=False)',
      '    api_key = Column(String(64), unique=True, nullable=False)',
      '    is_active = Column(Boolean, default=True)',
      '',
    ].join('\n'),
  );
  w.write('app/api/__init__.py', '');
  w.write(
    'app/api/deps.py',
    [
      'from typing import Optional',
      '',
      'from fastapi import Depends, HTTPException, Security',
      'from fastapi.security import APIKeyHeader',
      'from sqlalchemy.orm import Session',
      '',
      'from app.db.session import get_db',
      'from app.models.user import User',
      '',
      'api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)',
      '',
      '',
      'def get_current_user(api_key: Optional[str] = Security(api_key_header), db: Session = Depends(get_db)) -> User:',
      '    if not api_key:',
      '        raise HTTPException(status_code=401, detail="Missing API key")',
      '    user = db.query(User).filter(User.api_key == api_key).first()',
      '    if user is None or not user.is_active:',
      '        raise HTTPException(status_code=401, detail="Invalid API key")',
      '    return user',
      '',
    ].join('\n'),
  );
  w.write('app/domains/__init__.py', '');

  const apiPrefix = '/api/v1';
  const apiRouterLines = [
    '"""The versioned API: one router per business domain."""',
    'from fastapi import APIRouter',
    '',
    'from app.core.config import settings',
  ];
  const apiIncludes: string[] = [];
  const usedModels = new Set<string>();
  for (const [d, domain] of domains.entries()) {
    const domainDir = `app/domains/${domain}`;
    const domainModule = `app.domains.${domain}`;
    // Half the domains carry their prefix on APIRouter(prefix=), half get it from include_router(prefix=).
    const domainOwnPrefix = d % 2 === 0;
    const domainPrefix = `/${domain}`;
    apiRouterLines.push(`from ${domainModule}.router import router as ${domain}_router`);
    apiIncludes.push(
      domainOwnPrefix
        ? `api_router.include_router(${domain}_router)`
        : `api_router.include_router(${domain}_router, prefix="${domainPrefix}")`,
    );
    w.write(`${domainDir}/__init__.py`, '');
    const domainLines = [
      `"""Routes of the ${domain} domain: its features, each under its own prefix."""`,
      'from fastapi import APIRouter, Depends',
      '',
      'from app.api.deps import get_current_user',
    ];
    const domainIncludes: string[] = [];
    for (let i = 0; i < featuresPerDomain; i++) {
      let model: string;
      do model = `${w.pick(ADJECTIVES)}${w.pick(NOUNS)}`;
      while (usedModels.has(model));
      usedModels.add(model);
      const slug = snake(model).replace(/_/g, '-');
      const featurePackage = snake(model);
      const feature: Feature = {
        domain,
        slug,
        module: `${domainModule}.${featurePackage}`,
        dir: `${domainDir}/${featurePackage}`,
        model,
        table: `${domain}_${featurePackage}`,
        prefixStyle: i % 3 === 0 ? 'router-literal' : i % 3 === 1 ? 'router-fstring' : 'include',
      };
      w.write(`${feature.dir}/__init__.py`, `"""The ${slug} feature of ${domain}."""\n`);
      writeSchemas(w, feature, size(weights.schemas));
      writeModels(w, feature, size(weights.models));
      writeService(w, feature, size(weights.service));
      writeLongModule(
        w,
        `${feature.dir}/repository.py`,
        `Queries of the ${slug} feature that do not fit the ORM helpers.`,
        [`from ${feature.module}.models import ${model}`],
        model,
        size(weights.repository),
        'query',
      );
      writeLongModule(
        w,
        `${feature.dir}/events.py`,
        `Handlers of the domain events the ${slug} feature listens to.`,
        [`from ${feature.module}.models import ${model}`],
        model,
        size(weights.events),
        'on',
      );
      const local = writeRoutes(w, feature, size(weights.routes));
      domainLines.push(`from ${feature.module} import routes as ${featurePackage}_routes`);
      domainIncludes.push(
        feature.prefixStyle === 'include'
          ? `router.include_router(${featurePackage}_routes.router, prefix="/${slug}")`
          : `router.include_router(${featurePackage}_routes.router)`,
      );
      for (const route of local)
        routes.push({ method: route.method, path: `${apiPrefix}${domainPrefix}/${slug}${route.path}` });
    }
    domainLines.push(
      '',
      domainOwnPrefix
        ? `router = APIRouter(prefix="${domainPrefix}", dependencies=[Depends(get_current_user)])`
        : 'router = APIRouter()',
      '',
      '',
      '@router.get("/overview")',
      `def ${domain}_overview():`,
      `    """What the ${domain} domain offers, for the dashboard."""`,
      `    return {"domain": "${domain}", "features": ${featuresPerDomain}}`,
      '',
      '',
      ...domainIncludes,
      '',
    );
    routes.push({ method: 'GET', path: `${apiPrefix}${domainPrefix}/overview` });
    w.write(`${domainDir}/router.py`, domainLines.join('\n'));
    w.write(`${domainDir}/shared/__init__.py`, '');
  }
  apiRouterLines.push('', 'api_router = APIRouter(prefix=settings.API_V1_STR)', ...apiIncludes, '');
  w.write('app/api/router.py', apiRouterLines.join('\n'));
  w.write(
    'app/main.py',
    [
      '"""The ASGI entry point: `uvicorn app.main:app`."""',
      'from fastapi import FastAPI',
      '',
      'from app.api.router import api_router',
      'from app.core.config import settings',
      '',
      'app = FastAPI(title=settings.PROJECT_NAME)',
      'app.include_router(api_router, prefix="/api")',
      '',
      '',
      '@app.get("/health")',
      'def health():',
      '    return {"ok": True}',
      '',
    ].join('\n'),
  );
  routes.push({ method: 'GET', path: '/health' });

  for (let i = 0; i < fillerFiles; i++) {
    const domain = domains[i % domains.length] as string;
    writeLongModule(
      w,
      `app/domains/${domain}/shared/helpers_${Math.floor(i / domains.length)}.py`,
      `Shared helpers of the ${domain} domain.`,
      [],
      'Any',
      size(weights.filler),
      'helper',
    );
  }
  if (w.files !== options.files) throw new Error(`wrote ${w.files} Python files, expected ${options.files}`);
  return { files: w.files, bytes: w.bytes, routes };
}
