import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveStepId, uniqueStepId } from '../../src/config/derive-step-id.js';
import type { MethodSelector } from '../../src/config/endpoint-glob.js';
import { parsePeriod } from '../../src/config/period.js';

// [period, seconds (undefined: invalid)]
const periods: Array<[string, number | undefined]> = [
  ['1m', 60],
  ['90m', 5_400],
  ['12h', 43_200],
  ['1d', 86_400],
  ['30d', 2_592_000],
  ['1w', 604_800],
  ['4w', 2_419_200],
  ['999999d', 999_999 * 86_400],
  ['0d', undefined],
  ['030d', undefined],
  ['30', undefined],
  ['d', undefined],
  ['1.5d', undefined],
  ['-1d', undefined],
  ['30D', undefined],
  ['30 d', undefined],
  [' 30d', undefined],
  ['1y', undefined],
  ['1s', undefined],
  ['1000000d', undefined],
];

for (const [period, seconds] of periods) {
  test(`period ${JSON.stringify(period)} is ${seconds === undefined ? 'invalid' : `${seconds} seconds`}`, () => {
    assert.equal(parsePeriod(period), seconds);
  });
}

// [endpoint, methods, derived id]
const ids: Array<[string, MethodSelector, string]> = [
  ['/api/features/*', ['POST'], 'api-features-post'],
  ['/api/features/**', ['POST', 'PUT'], 'api-features-post-put'],
  ['/items/{item_id}/share', ['GET'], 'items-share-get'],
  ['/api/v1/AI_Complete', ['POST'], 'api-v1-ai-complete-post'],
  ['/reports.csv', ['GET'], 'reports-csv-get'],
  ['/', '*', 'root-any'],
  ['/**', ['DELETE'], 'root-delete'],
  ['/api/items/', '*', 'api-items-any'],
];

for (const [endpoint, methods, id] of ids) {
  test(`step id of ${endpoint} ${JSON.stringify(methods)} is ${id}`, () => {
    assert.equal(deriveStepId(endpoint, methods), id);
    assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a derived id is a valid explicit id');
  });
}

test('uniqueStepId suffixes a taken id with the next free number', () => {
  assert.equal(uniqueStepId('a', new Set()), 'a');
  assert.equal(uniqueStepId('a', new Set(['a'])), 'a-2');
  assert.equal(uniqueStepId('a', new Set(['a', 'a-2', 'a-3'])), 'a-4');
});
