/**
 * The endpoint glob init suggests: POST routes outside sign-in, billing and webhooks, and among them the
 * routes with a user dependency first (a public route would count only through identify(request)).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { routeHasUserDependency, suggestEndpoint } from '../../src/generate/gating-policy.js';
import { fixturePath } from '../helpers/fixtures.js';

test('sign-in, billing and webhook routes are never covered', () => {
  const routes = [
    { method: 'POST', path: '/api/v1/reports/' },
    { method: 'POST', path: '/api/v1/reports/{id}/export' },
    { method: 'POST', path: '/api/v1/auth/signup' },
    { method: 'POST', path: '/api/v1/webhooks/stripe' },
    { method: 'GET', path: '/api/v1/reports/' },
  ] as const;
  assert.deepEqual(suggestEndpoint(routes), { endpoint: '/api/v1/reports/**', method: 'POST' });
});

test('a glob over routes that all have the user dependency is preferred to one covering a public route', () => {
  const routes = [
    { method: 'POST', path: '/api/v1/tasks', user: true },
    { method: 'POST', path: '/api/v1/tasks/{id}/complete', user: true },
    { method: 'POST', path: '/api/v1/teams', user: true },
    { method: 'POST', path: '/api/v1/feedback/', user: false },
  ] as const;
  assert.deepEqual(
    suggestEndpoint(routes),
    { endpoint: '/api/v1/**', method: 'POST' },
    'without user facts: the widest glob',
  );
  assert.deepEqual(
    suggestEndpoint(routes, (r) => r.user),
    { endpoint: '/api/v1/tasks/**', method: 'POST' },
  );
  // No route has a user (an app without auth): the user facts change nothing.
  assert.deepEqual(
    suggestEndpoint(routes, () => false),
    { endpoint: '/api/v1/**', method: 'POST' },
  );
});

test("src-layout: the suggestion leaves out the members' public registration route", async () => {
  const analysis = await analyzeProject(fixturePath('src-layout'));
  const register = analysis.routes.find((r) => r.method === 'POST' && r.path === '/api/v1/members/');
  assert.ok(register, 'the fixture has a public POST /api/v1/members/');
  assert.equal(routeHasUserDependency(register, analysis.auth), false);
  const suggestion = suggestEndpoint(analysis.routes, (route) => routeHasUserDependency(route, analysis.auth));
  assert.deepEqual(suggestion, { endpoint: '/api/v1/tasks/**', method: 'POST' });
  // Account routes (members, users) are left out by their path words even without user facts.
  assert.equal(suggestEndpoint(analysis.routes)?.endpoint, '/api/v1/tasks/**', 'the same routes without user facts');
});

test('account management routes (users, admin, settings) are not suggested: the feature routes are', () => {
  const routes = [
    { method: 'POST', path: '/api/v1/users/', user: true },
    { method: 'POST', path: '/api/v1/users/{user_id}/roles', user: true },
    { method: 'POST', path: '/api/v1/admin/reindex', user: true },
    { method: 'POST', path: '/api/v1/items/', user: true },
    { method: 'POST', path: '/api/v1/utils/test-email/', user: true },
  ] as const;
  assert.deepEqual(
    suggestEndpoint(routes, (r) => r.user),
    { endpoint: '/api/v1/items/', method: 'POST' },
  );
});
