// `skene --help`, `skene <command> --help` and `skene --version` without loading the CLI bundle (bin/skene.js).
//
// The build (scripts/build.mjs) renders every command's help with commander and stores it in dist/lib/help.json
// as pages of text, with the parts that depend on the terminal's width kept as data: a paragraph that wraps at
// the width, and the "term  description" items whose description wraps beside the term. This file lays those
// out for the width commander would use (stdout's columns on a terminal, else 80), wrapping as commander does;
// test/cli/fast-help.test.ts compares every page at every width with commander's own output.
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Commander's defaults: descriptions are not wrapped below 40 columns; items are indented 2, then 2 spaces. */
const MIN_WIDTH_TO_WRAP = 40;
const ITEM_INDENT = 2;
const SPACER = 2;

/** Greedy wrap at whitespace, keeping the text's own line breaks: each chunk is the spaces before a word and the word. */
function wrap(text, width) {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const out = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (chunks === null) {
      out.push('');
      continue;
    }
    let current = chunks[0];
    for (let i = 1; i < chunks.length; i++) {
      const chunk = chunks[i];
      if (current.length + chunk.length <= width) current += chunk;
      else {
        out.push(current);
        current = chunk.trimStart();
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

/** "  term  description", the description wrapped in the columns right of the term (unless it is laid out by hand). */
function item(term, termWidth, description, width) {
  const indent = ' '.repeat(ITEM_INDENT);
  if (!description) return indent + term;
  const remaining = width - termWidth - SPACER - ITEM_INDENT;
  let text = description;
  if (remaining >= MIN_WIDTH_TO_WRAP && !/\n[^\S\r\n]/.test(description)) {
    text = wrap(description, remaining).replace(/\n/g, `\n${' '.repeat(termWidth + SPACER)}`);
  }
  return indent + term.padEnd(termWidth) + ' '.repeat(SPACER) + text.replace(/\n/g, `\n${indent}`);
}

/** One page of dist/lib/help.json at `width` columns: its parts are text, `{ wrap }` paragraphs and `{ term }` items. */
function renderPage(parts, width) {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if ('wrap' in part) out += wrap(part.wrap, width - part.narrower);
    else out += item(part.term, part.termWidth, part.description, width);
  }
  return out;
}

/** The page an argument list asks for (`[]` is the program's), or undefined when it is anything else. */
function pageFor(args, pages) {
  const isHelp = (arg) => arg === '--help' || arg === '-h';
  if (args.length === 1 && (isHelp(args[0]) || args[0] === 'help')) return '';
  if (args.length !== 2) return undefined;
  const name = isHelp(args[1]) ? args[0] : args[0] === 'help' ? args[1] : undefined;
  return name !== undefined && name !== '' && Object.hasOwn(pages, name) ? name : undefined;
}

/**
 * What `skene <args>` prints when it only asks for help or the version, or undefined (then the CLI runs).
 * `root` is the package folder; without a built dist/lib/help.json there is no fast answer.
 */
function fastAnswer(args, root, width) {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    return `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`;
  }
  if (args.length === 0 || args.length > 2) return undefined;
  let pages;
  try {
    pages = JSON.parse(readFileSync(join(root, 'dist', 'lib', 'help.json'), 'utf8')).pages;
  } catch {
    return undefined;
  }
  const page = pageFor(args, pages);
  return page === undefined ? undefined : renderPage(pages[page], width);
}

module.exports = { fastAnswer, renderPage, pageFor };
