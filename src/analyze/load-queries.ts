import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { queriesDir } from '../paths.js';

let parser: Parser | undefined;
const queries = new Map<string, Parser.Query>();

/** One parser for the whole run; tree-sitter parsers are reusable across files. */
export function pythonParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

/** `queries/<name>.scm`, compiled once against the installed grammar. */
export function loadQuery(name: string): Parser.Query {
  let query = queries.get(name);
  if (!query) {
    const source = readFileSync(join(queriesDir(), `${name}.scm`), 'utf8');
    query = new Parser.Query(Python as unknown as Parser.Language, source);
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
