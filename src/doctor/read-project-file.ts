import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a project file (path relative to the project, POSIX style); undefined when it is missing or a folder. */
export function readProjectFile(root: string, file: string): string | undefined {
  try {
    return readFileSync(join(root, ...file.split('/')), 'utf8');
  } catch {
    return undefined;
  }
}

export function isProjectFile(root: string, file: string): boolean {
  try {
    return statSync(join(root, ...file.split('/'))).isFile();
  } catch {
    return false;
  }
}

export const joinPosix = (...parts: string[]): string => parts.filter((part) => part !== '' && part !== '.').join('/');

/** 1-based line of the first line matching `pattern`, or undefined. */
export function lineOf(text: string, pattern: RegExp): number | undefined {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 1;
}

/** `text` as a literal inside a RegExp source. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
