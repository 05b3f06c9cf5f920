/** doctor fails when the app has a SQLAlchemy layer whose engine skene cannot reach (issue: no silent local file). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { checkDatabase } from '../../src/doctor/check-database.js';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'skene-doctor-engine-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const FACTORY_APP = {
  'app/__init__.py': '',
  'app/main.py': [
    'from fastapi import FastAPI',
    'from sqlalchemy import create_engine',
    '',
    'def create_app():',
    '    app = FastAPI()',
    '    app.state.engine = create_engine("sqlite:///app.db")',
    '    return app',
    '',
    'app = create_app()',
    '',
  ].join('\n'),
};

test('an engine skene cannot reach fails the database check, unless SKENE_DATABASE_URL names the database', async () => {
  const root = project(FACTORY_APP);
  const analysis = await analyzeProject(root);
  const runtime = { dir: 'app/skene', module: 'app.skene' };
  const checks = checkDatabase({ root, env: {}, dotenv: [], analysis, runtime });
  const engine = checks.find((check) => check.id === 'database.engine');
  assert.equal(engine?.status, 'fail');
  assert.match(engine?.message ?? '', /skene cannot reach its engine/);
  assert.match(engine?.fix ?? '', /SKENE_DATABASE_URL/);
  const told = checkDatabase({ root, env: { SKENE_DATABASE_URL: 'sqlite:///app.db' }, dotenv: [], analysis, runtime });
  assert.equal(
    told.find((check) => check.id === 'database.engine'),
    undefined,
  );
});
