import { parseDotenv } from '../doctor/read-dotenv.js';
import { readProjectFile } from '../doctor/read-project-file.js';
import type { DotenvEntry } from '../doctor/types.js';

const parentOf = (folder: string): string => (folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '');

/** The `.env` files from the project folder down to `start` (a relative POSIX folder), the project's first. */
export function readDotenvChain(root: string, start: string): DotenvEntry[] {
  const folders: string[] = [];
  for (let folder = start; ; folder = parentOf(folder)) {
    folders.unshift(folder);
    if (folder === '') break;
  }
  return folders.flatMap((folder) => {
    const file = folder === '' ? '.env' : `${folder}/.env`;
    const text = readProjectFile(root, file);
    return text === undefined ? [] : parseDotenv(file, text);
  });
}

/**
 * The environment the app would start with: the variables of its `.env` files (the one nearest the app
 * wins), under the process's own, which are never overridden (python-dotenv's default, and what a shell
 * that exported a variable expects).
 */
export function buildAppEnvironment(processEnv: NodeJS.ProcessEnv, dotenv: DotenvEntry[]): NodeJS.ProcessEnv {
  const fromFiles: Record<string, string> = {};
  for (const entry of dotenv) fromFiles[entry.name] = entry.value;
  const env: NodeJS.ProcessEnv = { ...fromFiles };
  for (const [name, value] of Object.entries(processEnv)) if (value !== undefined) env[name] = value;
  return env;
}
