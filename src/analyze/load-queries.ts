import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Query } from 'web-tree-sitter';
import { queriesDir } from '../paths.js';
import { pythonLanguage } from '../python/parse-python.js';

const queries = new Map<string, Query>();

/** `queries/<name>.scm`, compiled once against the loaded grammar. */
export function loadQuery(name: string): Query {
  let query = queries.get(name);
  if (!query) {
    const source = readFileSync(join(queriesDir(), `${name}.scm`), 'utf8');
    query = new Query(pythonLanguage, source);
    queries.set(name, query);
  }
  return query;
}

export function listQueryNames(): string[] {
  return readdirSync(queriesDir())
    .filter((f) => f.endsWith('.scm'))
    .map((f) => f.slice(0, -'.scm'.length))
    .sort();
}
