#!/usr/bin/env node
// CommonJS (bin/package.json), so the version check runs before any ESM syntax or dependency can fail on an old
// runtime, and `skene --help` / `--version` are answered (bin/help.js) before Node's ESM loader and the CLI
// bundle are loaded at all: that is most of a plain start's cost on Node 20.
'use strict';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`skene needs Node.js 20.12 or newer; this is ${process.versions.node}.\n`);
  process.exit(1);
}

const { join } = require('node:path');
const root = join(__dirname, '..');
const args = process.argv.slice(2);
// The width commander lays help out for: the terminal's columns, else 80.
const width = process.stdout.isTTY ? (process.stdout.columns ?? 80) : 80;
const answer = args.length <= 2 ? require('./help.js').fastAnswer(args, root, width) : undefined;
if (answer !== undefined) {
  process.stdout.write(answer);
} else {
  // Node 22.1+ keeps the compiled bundle on disk between runs (a faster start); Node 20 has no such cache.
  require('node:module').enableCompileCache?.();
  import('../dist/lib/cli.js').then(async ({ runCli }) => {
    process.exitCode = await runCli(process.argv);
  });
}
