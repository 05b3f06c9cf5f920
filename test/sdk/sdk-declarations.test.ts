import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Node, Project, ts } from 'ts-morph';
import { loadSdkFiles, SDK_MODULE_NAMES, type SdkFile } from '../../src/config/sdk-declarations.js';
import * as publicApi from '../../src/index.js';

const sdkDir = fileURLToPath(new URL('../../src/sdk/', import.meta.url));

const pageConfig = (moduleName: string): string => `import { defineLoop } from '${moduleName}';

export default defineLoop({
  type: 'freemium',
  opinion: 'Enforce usage limits for free tier users and trigger upgrade prompts',
  plans: { pro: { prices: ['price_1PRO'] } },
  steps: [
    {
      id: 'reports-api',
      trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
      condition: { type: 'usage', limit: { free: 100, paid: Infinity, pro: 1000 }, period: '30d' },
      action: {
        type: 'block',
        message: "You've reached your free tier limit. Upgrade to continue.",
        upgradeUrl: '/pricing',
        upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' },
      },
      mode: 'shadow',
      failOpen: false,
    },
  ],
  recovery: { retries: 0 },
});
`;

/**
 * A project as a user's editor or doctor sees it: the config, and skene's declarations reachable under
 * `moduleName` (no node_modules anywhere).
 */
function projectWith(config: string, sdk: SdkFile[], moduleName: string): Project {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: [],
      noEmit: true,
      paths: { [moduleName]: ['/sdk/index'] },
    },
  });
  for (const file of sdk) project.createSourceFile(`/sdk/${file.name}`, file.text);
  project.createSourceFile('/repo/skene.config.ts', config);
  return project;
}

function typeErrors(project: Project): string[] {
  return project
    .getPreEmitDiagnostics()
    .map(
      (d) =>
        `${d.getSourceFile()?.getBaseName()}: ${ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, ' ')}`,
    );
}

/** The SDK as `dist/sdk/*.d.ts` ships it: declarations emitted from the same sources. */
function emittedDeclarations(): SdkFile[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      declaration: true,
      emitDeclarationOnly: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: [],
      outDir: '/out',
    },
  });
  for (const file of loadSdkFiles()) project.createSourceFile(`/src/${file.name}`, file.text);
  const output = project.emitToMemory();
  assert.deepEqual(
    output.getDiagnostics().map((d) => d.getMessageText()),
    [],
  );
  return output.getFiles().map((f) => ({ name: f.filePath.slice('/out/'.length), text: f.text }));
}

test('the declarations the reader injects are the SDK sources themselves', () => {
  const files = loadSdkFiles();
  const onDisk = readdirSync(sdkDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort();
  assert.deepEqual(
    files.map((f) => f.name),
    onDisk,
  );
  for (const file of files) assert.equal(file.text, readFileSync(`${sdkDir}${file.name}`, 'utf8'));
  // Self-contained: the SDK folder imports nothing from the rest of skene or from packages.
  for (const file of files) {
    for (const [, specifier] of file.text.matchAll(/from '([^']+)'/g))
      assert.match(specifier!, /^\.\/[a-z-]+\.js$/, `${file.name} imports ${specifier}`);
  }
});

for (const moduleName of SDK_MODULE_NAMES) {
  test(`a config importing from '${moduleName}' type-checks against skene's own declarations`, () => {
    assert.deepEqual(typeErrors(projectWith(pageConfig(moduleName), loadSdkFiles(), moduleName)), []);
  });

  test(`a config importing from '${moduleName}' type-checks against the emitted .d.ts as well`, () => {
    const declarations = emittedDeclarations();
    assert.ok(
      declarations.some((f) => f.name === 'index.d.ts'),
      declarations.map((f) => f.name).join(),
    );
    assert.deepEqual(typeErrors(projectWith(pageConfig(moduleName), declarations, moduleName)), []);
  });

  test(`the declarations catch a wrong value in a config importing from '${moduleName}'`, () => {
    const broken = pageConfig(moduleName)
      .replace("period: '30d'", "period: 'monthly'")
      .replace("mode: 'shadow'", "mode: 'dry-run'");
    const errors = typeErrors(projectWith(broken, loadSdkFiles(), moduleName));
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0]!, /"monthly"/);
    assert.match(errors[1]!, /"dry-run"/);
  });
}

test('every field of the loop carries a doc comment that an editor shows on hover', () => {
  const config = pageConfig('skene');
  const project = projectWith(config, loadSdkFiles(), 'skene');
  const service = project.getLanguageService().compilerObject;
  // Plan names (`pro`) are the user's own keys: editors show no docs for them, only for `plans` and `prices`.
  const fields = [
    'defineLoop',
    'type',
    'opinion',
    'plans',
    'prices',
    'steps',
    'id',
    'trigger',
    'endpoint',
    'method',
    'condition',
    'limit',
    'free',
    'paid',
    'period',
    'action',
    'message',
    'upgradeUrl',
    'upgradePrompt',
    'provider',
    'template',
    'mode',
    'failOpen',
    'recovery',
    'retries',
  ];
  const undocumented: string[] = [];
  for (const field of fields) {
    // Every occurrence of the key, so `type` is checked on the loop, trigger, condition, action and prompt.
    for (const match of config.matchAll(new RegExp(`\\b${field}\\b(?=:| \\}|\\()`, 'g'))) {
      const info = service.getQuickInfoAtPosition('/repo/skene.config.ts', match.index! + 1);
      const documentation = ts.displayPartsToString(info?.documentation ?? []);
      if (documentation.trim() === '') undocumented.push(`${field} at offset ${match.index}`);
    }
  }
  assert.deepEqual(undocumented, []);
});

test('every exported SDK type and every property in it has a doc comment', () => {
  const project = new Project({ useInMemoryFileSystem: true });
  const missing: string[] = [];
  for (const file of loadSdkFiles()) {
    const source = project.createSourceFile(`/sdk/${file.name}`, file.text);
    for (const declaration of [...source.getInterfaces(), ...source.getTypeAliases(), ...source.getFunctions()]) {
      if (declaration.getJsDocs().length === 0) missing.push(declaration.getName() ?? '(anonymous)');
      if (!Node.isInterfaceDeclaration(declaration)) continue;
      for (const member of declaration.getMembers()) {
        if (
          (Node.isPropertySignature(member) || Node.isIndexSignatureDeclaration(member)) &&
          member.getJsDocs().length === 0
        ) {
          missing.push(`${declaration.getName()}.${Node.isPropertySignature(member) ? member.getName() : '[index]'}`);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});

test("the package's entry exports defineLoop, which returns the loop unchanged", () => {
  assert.deepEqual(Object.keys(publicApi), ['defineLoop']);
  const loop = JSON.parse(JSON.stringify({ type: 'freemium', steps: [] }));
  assert.equal(publicApi.defineLoop(loop), loop);
});

test('importing the SDK and the config modules does not load ts-morph; reading a config does', () => {
  const modules = [
    '../../src/index.ts',
    '../../src/config/read-config.ts',
    '../../src/config/write-config.ts',
    '../../src/config/compile-loop.ts',
    '../../src/config/endpoint-glob.ts',
  ].map((m) => new URL(m, import.meta.url).href);
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const tsMorphLoaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/ts-morph/'));
    const [, reader] = await Promise.all(${JSON.stringify(modules)}.map((m) => import(m)));
    const before = tsMorphLoaded();
    await reader.readLoopConfig('skene.config.ts', 'export default 1;');
    console.log(JSON.stringify({ before, after: tsMorphLoaded() }));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(output.trim()), { before: false, after: true });
});
