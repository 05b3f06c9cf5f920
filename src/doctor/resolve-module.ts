import { statSync } from 'node:fs';
import { join } from 'node:path';
import { joinPosix } from './read-project-file.js';

/** Where a dotted module name leads, by the path finder's rules over the project's files. */
export type ModuleResolution =
  | {
      found: true;
      /** The module's file (`app/skene/__init__.py`, `app/main.py`), or its folder for a namespace package. */
      file: string;
      kind: 'module' | 'package' | 'namespace';
    }
  | {
      found: false;
      /** The first dotted prefix that does not resolve (`app.skene` of `app.skene._gate`). */
      missing: string;
      /** Why, for the message: `no app/skene.py, app/skene/ or ...`. */
      why: string;
    };

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Resolves `module` the way Python's path finder does from the sys.path entries `entries` (folders relative
 * to the project, `''` for the project itself), looking only at project files: for each part, the first entry
 * holding a folder with `__init__.py` (a regular package) or a `<part>.py` wins; folders without
 * `__init__.py` met on the way make a namespace package (PEP 420) when no entry has a regular one. A plain
 * module has no submodules. What is installed in site-packages is not seen here (the Python check sees it).
 */
export function resolveModuleStatically(root: string, entries: readonly string[], module: string): ModuleResolution {
  const parts = module.split('.');
  let search = [...entries];
  let resolved: { file: string; kind: 'module' | 'package' | 'namespace' } | undefined;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index]!;
    const name = parts.slice(0, index + 1).join('.');
    if (resolved?.kind === 'module') {
      return {
        found: false,
        missing: name,
        why: `${resolved.file} is a module, not a package, so it has no submodule ${part}`,
      };
    }
    const portions: string[] = [];
    let hit: { file: string; kind: 'module' | 'package' } | undefined;
    for (const entry of search) {
      const folder = joinPosix(entry, part);
      if (isDir(join(root, folder)) && isFile(join(root, folder, '__init__.py'))) {
        hit = { file: joinPosix(folder, '__init__.py'), kind: 'package' };
        break;
      }
      if (isFile(join(root, `${folder}.py`))) {
        hit = { file: `${folder}.py`, kind: 'module' };
        break;
      }
      if (isDir(join(root, folder))) portions.push(folder);
    }
    if (hit) {
      resolved = hit;
      search = hit.kind === 'package' ? [hit.file.replace(/\/?__init__\.py$/, '')] : [];
    } else if (portions.length > 0) {
      resolved = { file: portions[0]!, kind: 'namespace' };
      search = portions;
    } else {
      const places = search.map((entry) => joinPosix(entry, part) || '.');
      return {
        found: false,
        missing: name,
        why:
          places.length === 0
            ? `nothing to search for ${part}`
            : `no ${places.map((place) => `${place}.py or ${place}/`).join(', ')}`,
      };
    }
  }
  return { found: true, ...resolved! };
}
