import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteFact } from '../../src/analyze/types.js';
import {
  matchesEndpoint,
  matchesMethod,
  matchRoutes,
  parseMethodSelector,
  validateEndpointGlob,
} from '../../src/config/endpoint-glob.js';

// [glob, route path as FastAPI serves it, matches?]
const endpointTable: Array<[string, string, boolean]> = [
  // `*` is exactly one segment, a {param} segment included
  ['/api/features/*', '/api/features/export', true],
  ['/api/features/*', '/api/features/{feature_id}', true],
  ['/api/features/*', '/api/features', false],
  ['/api/features/*', '/api/features/a/b', false],
  ['/api/*/items', '/api/v1/items', true],
  ['/api/*/items', '/api/items', false],
  ['/api/*/items', '/api/v1/v2/items', false],
  ['/*', '/', false],
  ['/*', '/health', true],
  // `**` is zero or more segments
  ['/api/**', '/api', true],
  ['/api/**', '/api/x', true],
  ['/api/**', '/api/x/{id}/y', true],
  ['/api/**', '/apix', false],
  ['/api/**', '/other/api', false],
  ['/**', '/', true],
  ['/**', '/anything/at/all', true],
  ['/api/**/export', '/api/export', true],
  ['/api/**/export', '/api/a/b/export', true],
  ['/api/**/export', '/api/a/b/export/more', false],
  ['/**/{id}', '/items/{item_id}', true],
  ['/a/**/**/b', '/a/b', true],
  ['/a/*/**', '/a', false],
  ['/a/*/**', '/a/x', true],
  // a trailing slash is ignored, on either side
  ['/api/items/', '/api/items', true],
  ['/api/items', '/api/items/', true],
  ['/api/items//', '/api/items', true],
  ['/', '/', true],
  ['/', '/x', false],
  // literal segments: exact and case-sensitive, as FastAPI routes
  ['/api/items', '/api/items', true],
  ['/api/items', '/api/Items', false],
  ['/api/items', '/api/items/{id}', false],
  ['/api/item', '/api/items', false],
  // a {param} in the glob stands for a {param} of the route, whatever its name
  ['/items/{id}', '/items/{item_id}', true],
  ['/items/{id}', '/items/{item_id:path}', true],
  ['/items/{id}', '/items/special', false],
  ['/items/special', '/items/{id}', false],
];

for (const [glob, path, expected] of endpointTable) {
  test(`endpoint glob ${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
    assert.equal(matchesEndpoint(glob, path), expected);
  });
}

// [glob, the reason fragment when invalid (undefined: valid)]
const validityTable: Array<[string, string | undefined]> = [
  ['/api/features/*', undefined],
  ['/api/**', undefined],
  ['/', undefined],
  ['/items/{item_id}', undefined],
  ['/files/{file_path:path}', undefined],
  ['/api/items/', undefined],
  ['', 'empty'],
  ['api/items', 'starts with "/"'],
  ['/api/feat*', 'whole path segments'],
  ['/api/***', 'whole path segments'],
  ['/api/items?page=1', 'without a query string'],
  ['/api/items#top', 'without a query string'],
  ['/api items', 'spaces'],
  ['/api//items', 'empty segment'],
  ['/items/{item_id', 'whole segment such as "{item_id}"'],
  ['/items/x{id}', 'whole segment such as "{item_id}"'],
  ['/items/{}', 'whole segment such as "{item_id}"'],
];

for (const [glob, problem] of validityTable) {
  test(`endpoint glob ${JSON.stringify(glob)} is ${problem === undefined ? 'valid' : 'invalid'}`, () => {
    const reason = validateEndpointGlob(glob);
    if (problem === undefined) assert.equal(reason, undefined);
    else assert.ok(reason?.includes(problem), `reason ${JSON.stringify(reason)} lacks ${JSON.stringify(problem)}`);
  });
}

// [method option, parsed selector (undefined: invalid)]
const methodTable: Array<[string | string[], readonly string[] | '*' | undefined]> = [
  ['POST', ['POST']],
  ['post', ['POST']],
  ['*', '*'],
  [
    ['GET', 'post'],
    ['GET', 'POST'],
  ],
  [['GET', 'get'], ['GET']],
  [
    ['OPTIONS', 'HEAD', 'TRACE', 'PATCH', 'PUT', 'DELETE'],
    ['OPTIONS', 'HEAD', 'TRACE', 'PATCH', 'PUT', 'DELETE'],
  ],
  ['FETCH', undefined],
  [['POST', 'FETCH'], undefined],
  [[], undefined],
  ['WEBSOCKET', undefined],
];

for (const [option, expected] of methodTable) {
  test(`method ${JSON.stringify(option)} parses to ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(parseMethodSelector(option), expected);
  });
}

// [selector, request method, gated?]
const methodMatchTable: Array<[readonly string[] | string, string, boolean]> = [
  ['POST', 'POST', true],
  ['POST', 'post', true],
  ['POST', 'PUT', false],
  [['POST', 'PUT'], 'PUT', true],
  [['POST', 'PUT'], 'GET', false],
  ['*', 'GET', true],
  ['*', 'DELETE', true],
  ['*', 'WEBSOCKET', false],
];

for (const [selector, method, expected] of methodMatchTable) {
  test(`method selector ${JSON.stringify(selector)} ${expected ? 'gates' : 'does not gate'} ${method}`, () => {
    assert.equal(matchesMethod(selector, method), expected);
  });
}

const route = (method: RouteFact['method'], path: string, fn: string): RouteFact =>
  ({
    method,
    path,
    function: fn,
    file: 'app/main.py',
    line: 1,
    dependencies: [],
    app: { file: 'app/main.py', line: 1 },
  }) as unknown as RouteFact;

const routes: RouteFact[] = [
  route('POST', '/api/features/export', 'export_feature'),
  route('PUT', '/api/features/export', 'replace_feature'),
  route('GET', '/api/features/{feature_id}', 'read_feature'),
  route('POST', '/api/features/{feature_id}/run', 'run_feature'),
  route('POST', '/api/features/', 'create_feature'),
  route('WEBSOCKET', '/api/features/live', 'live'),
  route('GET', '/health', 'health'),
];

const names = (matched: RouteFact[]): string[] => matched.map((r) => r.function);

test('matchRoutes: a POST trigger on /api/features/* gates only the POST routes one segment deep', () => {
  assert.deepEqual(names(matchRoutes({ endpoint: '/api/features/*', method: 'POST' }, routes)), ['export_feature']);
});

test('matchRoutes: a list of methods and a normalized trigger give the same routes', () => {
  const authoring = matchRoutes({ endpoint: '/api/features/*', method: ['post', 'PUT'] }, routes);
  const normalized = matchRoutes({ endpoint: '/api/features/*', methods: ['POST', 'PUT'] }, routes);
  assert.deepEqual(names(authoring), ['export_feature', 'replace_feature']);
  assert.deepEqual(names(normalized), names(authoring));
});

test("matchRoutes: '*' with ** gates every HTTP route below the prefix, never a websocket", () => {
  assert.deepEqual(names(matchRoutes({ endpoint: '/api/features/**', method: '*' }, routes)), [
    'export_feature',
    'replace_feature',
    'read_feature',
    'run_feature',
    'create_feature',
  ]);
});

test('matchRoutes: a trailing slash on the route or the glob makes no difference', () => {
  assert.deepEqual(names(matchRoutes({ endpoint: '/api/features', methods: ['POST'] }, routes)), ['create_feature']);
  assert.deepEqual(names(matchRoutes({ endpoint: '/health/', methods: '*' }, routes)), ['health']);
});

test('matchRoutes: a trigger that matches nothing gives no routes', () => {
  assert.deepEqual(matchRoutes({ endpoint: '/api/reports/*', method: 'POST' }, routes), []);
});
