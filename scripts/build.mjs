// `npm run build`: dist/ as the package ships it (docs/ARCHITECTURE.md, "Packaging").
//
//   dist/lib/*.js          the CLI, the SDK entry, the analyzer's worker and the analyzer (for the benchmark),
//                          bundled by esbuild with the small dependencies inside, so `skene --help` reads a
//                          few files instead of hundreds; shared code in chunks, loaded when a command needs it
//   dist/lib/vendor-stripe.js   the Stripe SDK, bundled on its own and imported only by the commands that call Stripe
//   dist/lib/tree-sitter-python.wasm   the Python grammar (tree-sitter-python is a build-time dependency)
//   dist/lib/sql-wasm.wasm   sql.js's SQLite, for `skene stats` where Node has no node:sqlite
//   dist/**/*.d.ts         declarations from tsc, for `exports` and for the config reader (dist/sdk/)
//   dist/THIRD-PARTY-LICENSES.txt   the licenses of everything bundled
//
// No source maps: they would point at sources the package does not ship.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
// Built beside dist/ and swapped in at the end, so tests running from dist/ meanwhile never see half a build.
const staging = join(repo, `dist.new.${process.pid}`);
const out = join(staging, 'lib');

/** Installed with skene (package.json `dependencies`), so imported from node_modules, not bundled. */
const external = Object.keys(pkg.dependencies ?? {});

for (const stale of readdirSync(repo).filter((f) => /^dist\.(new|old)\.\d+$/.test(f))) {
  const pid = Number(stale.split('.').pop());
  if (!isRunning(pid)) rmSync(join(repo, stale), { recursive: true, force: true });
}
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', staging],
  { cwd: repo, stdio: 'inherit' },
);

/** `import('stripe')` becomes `import('./vendor-stripe.js')`: the SDK is its own file, loaded only when called. */
const vendorStripe = {
  name: 'vendor-stripe',
  setup(b) {
    b.onResolve({ filter: /^stripe$/ }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: './vendor-stripe.js', external: true },
    );
  },
};

const result = await build({
  absWorkingDir: repo,
  entryPoints: {
    cli: 'src/cli.ts',
    index: 'src/index.ts',
    'analyze-file-worker': 'src/analyze/analyze-file-worker.ts',
    'analyze-project': 'src/analyze/analyze-project.ts',
    'vendor-stripe': 'stripe',
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  external,
  plugins: [vendorStripe],
  // Bundled CommonJS packages call require() for Node's modules and read __filename (write-file-atomic names its
  // temporary files with it) and __dirname (sql.js); ESM has none of them, so each file gets them.
  banner: {
    js: [
      "import { createRequire as __skeneCreateRequire } from 'node:module';",
      "import { fileURLToPath as __skeneFileURLToPath } from 'node:url';",
      "import { dirname as __skeneDirname } from 'node:path';",
      'const require = __skeneCreateRequire(import.meta.url);',
      'const __filename = __skeneFileURLToPath(import.meta.url);',
      'const __dirname = __skeneDirname(__filename);',
    ].join(' '),
  },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});

copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), join(out, 'tree-sitter-python.wasm'));
// sql.js reads SQLite for `skene stats` on a Node without node:sqlite; its WebAssembly beside the bundle.
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), join(out, 'sql-wasm.wasm'));

// The license of each package whose code is now inside dist/ (bundled, or the grammar copied).
const bundled = new Map([
  ['tree-sitter-python', join(repo, 'node_modules', 'tree-sitter-python')],
  ['sql.js', join(repo, 'node_modules', 'sql.js')],
]);
for (const input of Object.keys(result.metafile.inputs)) {
  // The innermost package folder: node_modules/a/node_modules/@b/c/lib/x.js is @b/c.
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (match) bundled.set(match[2], join(repo, match[1]));
}
const notices = [...bundled.keys()].sort().map((name) => {
  const dir = bundled.get(name);
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${meta.license ?? 'unknown'}`;
  return `${name}@${meta.version} (${meta.license ?? 'see below'})\n\n${text}\n`;
});
writeFileSync(
  join(staging, 'THIRD-PARTY-LICENSES.txt'),
  `skene's dist/ includes code from these packages, under their licenses:\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`,
);

writeFileSync(join(out, 'help.json'), `${JSON.stringify(await helpPages(join(out, 'cli.js')))}\n`);

for (const file of readdirSync(out)) {
  if (file.endsWith('.map')) throw new Error(`build: unexpected source map ${relative(repo, join(out, file))}`);
}
if (!existsSync(join(out, 'cli.js'))) throw new Error('build: dist/lib/cli.js missing');

const old = join(repo, `dist.old.${process.pid}`);
if (existsSync(join(repo, 'dist'))) renameSync(join(repo, 'dist'), old);
renameSync(staging, join(repo, 'dist'));
rmSync(old, { recursive: true, force: true });

/**
 * dist/lib/help.json for bin/help.js: the help commander prints for the program and each command, with the parts
 * that depend on the terminal's width kept as data. Commander renders each page here with a help formatter whose
 * item and wrap steps leave a numbered marker and record their arguments instead of laying text out; the page is
 * the text between the markers and those records.
 */
async function helpPages(cliFile) {
  const { buildProgram } = await import(pathToFileURL(cliFile).href);
  let written = '';
  const capture = {
    write: (text) => {
      written += text;
      return true;
    },
  };
  const program = buildProgram({
    env: {},
    cwd: repo,
    stdout: capture,
    stderr: capture,
    stdinIsTTY: false,
    exitCode: 0,
  });
  // Wider than any line, so `narrower` (how much less than the full width a paragraph wraps at) is exact.
  const SENTINEL_WIDTH = 100_000;
  // Never in help text: a private-use character.
  const MARK = '\uE000';
  const render = (command) => {
    const records = [];
    const mark = (record) => `${MARK}${records.push(record) - 1}${MARK}`;
    command.configureOutput({ writeOut: capture.write, writeErr: capture.write });
    command.configureHelp({
      helpWidth: SENTINEL_WIDTH,
      formatItem: (term, termWidth, description) => mark({ term, termWidth, description }),
      boxWrap: (text, width) => mark({ wrap: text, narrower: SENTINEL_WIDTH - width }),
    });
    written = '';
    command.outputHelp();
    return written.split(new RegExp(`${MARK}(\\d+)${MARK}`)).flatMap((piece, i) => {
      if (i % 2 === 1) return [records[Number(piece)]];
      return piece === '' ? [] : [piece];
    });
  };
  const pages = { '': render(program) };
  for (const command of program.commands) {
    if (command.name() !== 'help') pages[command.name()] = render(command);
  }
  return { pages };
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
