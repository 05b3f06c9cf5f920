import { SkeneError } from '../errors.js';

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

/** Gives a template's text by its path under skene's `templates/` folder (POSIX); the I/O layer reads it. */
export type TemplateReader = (relativePath: string) => string;
