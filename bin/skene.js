#!/usr/bin/env node
// Checks the Node version before any ESM syntax or dependency can fail on an old runtime.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`skene needs Node.js 20.12 or newer; this is ${process.versions.node}.\n`);
  process.exit(1);
}
// Node 22.1+ keeps the compiled bundle on disk between runs (a faster start); Node 20 has no such cache.
const { default: nodeModule } = await import('node:module');
nodeModule.enableCompileCache?.();
const { runCli } = await import('../dist/lib/cli.js');
process.exitCode = await runCli(process.argv);
