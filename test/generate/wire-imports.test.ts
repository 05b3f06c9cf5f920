import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ImportRequest, planImports } from '../../src/generate/wire-imports.js';
import { applyTextEdits, parsePython } from '../../src/generate/wire-python-source.js';

const GATE: ImportRequest = { module: 'app.skene', name: 'gate', alias: 'skene_gate' };
const DEPENDS: ImportRequest = { module: 'fastapi', name: 'Depends', anyModule: true };

function addImports(source: string, requests: ImportRequest[]): string | 'present' | { refused: string } {
  const outcome = planImports(source, parsePython(source), requests);
  if (outcome.kind === 'present') return 'present';
  if (outcome.kind === 'refused') return { refused: outcome.reason };
  return applyTextEdits(source, outcome.edits);
}

test('adds missing imports after the leading import block', () => {
  const before =
    '"""Reports."""\nimport os\nfrom fastapi import (\n    APIRouter,\n)  # routers\n\nrouter = APIRouter()\n\nfrom .late import x\n';
  assert.equal(
    addImports(before, [GATE, DEPENDS]),
    '"""Reports."""\nimport os\nfrom fastapi import (\n    APIRouter,\n)  # routers\nfrom app.skene import gate as skene_gate\nfrom fastapi import Depends\n\nrouter = APIRouter()\n\nfrom .late import x\n',
  );
});

test('does not duplicate an existing import, in any form that binds the name', () => {
  assert.equal(
    addImports('from fastapi import APIRouter, Depends\nfrom app.skene import gate as skene_gate\n', [GATE, DEPENDS]),
    'present',
  );
  assert.equal(addImports('from fastapi.params import Depends as Depends\n', [DEPENDS]), 'present');
  assert.equal(
    addImports('from fastapi import Depends\n', [GATE, DEPENDS]),
    'from fastapi import Depends\nfrom app.skene import gate as skene_gate\n',
  );
});

test('places imports after a docstring, after leading comments, or at the top', () => {
  assert.equal(addImports('"""Doc."""\nx = 1\n', [DEPENDS]), '"""Doc."""\nfrom fastapi import Depends\nx = 1\n');
  assert.equal(
    addImports('#!/usr/bin/env python\nx = 1\n', [DEPENDS]),
    '#!/usr/bin/env python\nfrom fastapi import Depends\nx = 1\n',
  );
  assert.equal(addImports('x = 1\n', [DEPENDS]), 'from fastapi import Depends\nx = 1\n');
  assert.equal(addImports('import os', [DEPENDS]), 'import os\nfrom fastapi import Depends\n');
});

test('keeps CRLF line endings', () => {
  assert.equal(
    addImports('import os\r\nx = 1\r\n', [DEPENDS]),
    'import os\r\nfrom fastapi import Depends\r\nx = 1\r\n',
  );
});

test('refuses when the alias is bound to something else', () => {
  assert.deepEqual(addImports('from old.runtime import gate as skene_gate\n', [GATE]), {
    refused: 'skene_gate is already imported from another module',
  });
});
