// Preloaded with `node --import`: writes every module the process loads into $SKENE_MODULE_LOG, one per
// line. ESM resolutions (including `import()` of CommonJS packages such as ts-morph) come from a resolve
// hook on the loader thread (`module.register`, Node >= 20.6); CommonJS modules that those load with
// `require` are read from require.cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.SKENE_MODULE_LOG;
if (!log) throw new Error('record-module-loads: set SKENE_MODULE_LOG');

register('./record-module-loads-hooks.mjs', import.meta.url, { data: { log } });

const require = createRequire(import.meta.url);
process.on('exit', () => {
  appendFileSync(log, `${Object.keys(require.cache).join('\n')}\n`);
});
