import type { ConfigDiagnostic } from '../config/types.js';
import { type Check, type ConfigReading, fail, pass } from './types.js';

/** Which check a reader diagnostic belongs to: the file parses, it type-checks, its values are valid. */
function checkIdFor(code: ConfigDiagnostic['code']): string {
  switch (code) {
    case 'syntax':
    case 'no-default-export':
    case 'not-static':
      return 'config.parse';
    case 'type':
    case 'unknown-key':
    case 'missing':
      return 'config.types';
    case 'invalid-value':
    case 'duplicate-id':
      return 'config.values';
  }
}

const PASS_MESSAGES: Record<string, string> = {
  'config.parse': 'parses',
  'config.types': 'type-checks',
  'config.values': 'values are valid',
};

function fixFor(diagnostic: ConfigDiagnostic, id: string): string {
  if (diagnostic.hint) return diagnostic.hint;
  if (id === 'config.parse')
    return `Fix the syntax at ${diagnostic.file}:${diagnostic.line}:${diagnostic.col}, then run \`skene generate\`.`;
  return `Edit ${diagnostic.file}:${diagnostic.line}:${diagnostic.col}, then run \`skene generate\`.`;
}

/**
 * Every reader diagnostic becomes its own failing check, located at file:line:col. A group with no
 * diagnostic passes; the type and value groups are not claimed to pass when the file did not parse.
 */
export function checkConfig(configFile: string, reading: ConfigReading | undefined): Check[] {
  if (!reading) {
    return [fail('config.present', `no ${configFile} in this folder`, 'Run `skene init` to write the loop file.')];
  }
  const checks: Check[] = [];
  const failed = new Set<string>();
  for (const diagnostic of reading.diagnostics) {
    const id = checkIdFor(diagnostic.code);
    failed.add(id);
    checks.push({
      ...fail(id, diagnostic.message, fixFor(diagnostic, id), {
        file: diagnostic.file,
        line: diagnostic.line,
        col: diagnostic.col,
      }),
      ...(diagnostic.frame ? { detail: diagnostic.frame } : {}),
    });
  }
  const passed: Check[] = [];
  for (const id of ['config.parse', 'config.types', 'config.values']) {
    if (failed.has(id)) continue;
    if (id !== 'config.parse' && failed.has('config.parse')) continue;
    passed.push(pass(id, `${configFile} ${PASS_MESSAGES[id]}`, { file: configFile }));
  }
  return [...passed, ...checks];
}
