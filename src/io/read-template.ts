import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkeneError } from '../errors.js';
import { templatesDir } from '../paths.js';

/** Reads a file under skene's `templates/` folder (POSIX relative path). */
export function readTemplate(relativePath: string): string {
  try {
    return readFileSync(join(templatesDir(), ...relativePath.split('/')), 'utf8');
  } catch (error) {
    throw new SkeneError(`skene's template ${relativePath} is missing from this install.`, { cause: error });
  }
}
