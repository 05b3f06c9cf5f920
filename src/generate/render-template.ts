import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkeneError } from '../errors.js';
import { templatesDir } from '../paths.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Replaces `{{name}}` placeholders. Strict both ways: a placeholder without a value and a value the
 * template never uses are errors, so a renamed placeholder cannot silently render as empty text.
 */
export function renderTemplate(template: string, values: Record<string, string>, name = 'template'): string {
  const used = new Set<string>();
  const missing = new Set<string>();
  const rendered = template.replace(PLACEHOLDER, (match, key: string) => {
    const value = values[key];
    if (value === undefined) {
      missing.add(key);
      return match;
    }
    used.add(key);
    return value;
  });
  if (missing.size > 0) {
    throw new SkeneError(`Template ${name} has placeholders without a value: ${[...missing].join(', ')}.`);
  }
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length > 0) {
    throw new SkeneError(`Template ${name} does not use the values: ${unused.join(', ')}.`);
  }
  return rendered;
}

/** Reads a file under skene's `templates/` folder (POSIX relative path). */
export function readTemplate(relativePath: string): string {
  try {
    return readFileSync(join(templatesDir(), ...relativePath.split('/')), 'utf8');
  } catch (error) {
    throw new SkeneError(`skene's template ${relativePath} is missing from this install.`, { cause: error });
  }
}
