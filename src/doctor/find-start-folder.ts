import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { globSync } from 'tinyglobby';
import type { AnalysisResult } from '../analyze/types.js';
import { appSourceRoots } from '../generate/runtime-location.js';
import { joinPosix, readProjectFile } from './read-project-file.js';
import { resolveModuleStatically } from './resolve-module.js';

/** How the app is started, as far as its files say: the folders Python resolves its imports from. */
export interface StartPlace {
  /** sys.path entries ahead of the installed packages, relative to the project ('' is the project). */
  path: string[];
  /** The folder the process starts in (a relative SQLite path resolves from it). */
  cwd: string;
  /** `where Procfile:1 starts it (uvicorn app.main:app)`, or `the source root of app/main.py; no start command found`. */
  how: string;
  file?: string;
  line?: number;
}

/** A start command found in the project whose folder doctor could not work out. */
export interface UnplacedStart {
  file: string;
  line: number;
  command: string;
  why: string;
}

const SERVERS = new Set(['uvicorn', 'gunicorn', 'hypercorn']);
const APP_TARGET = /^([A-Za-z_][\w.]*):([A-Za-z_]\w*)(\(.*\))?$/;
/** fastapi-cli's own guesses when `fastapi run` names no path. */
const FASTAPI_DEFAULTS = ['main.py', 'app.py', 'api.py', 'app/main.py', 'app/app.py', 'app/api.py'];
const FASTAPI_VALUE_FLAGS = new Set(['--host', '--port', '--root-path', '--workers', '--app', '--entrypoint', '-e']);
const IGNORED = ['**/node_modules/**', '**/.git/**', '**/.venv/**', '**/venv/**', '**/site-packages/**'];

const dirOf = (file: string): string => {
  const dir = posix.dirname(file);
  return dir === '.' ? '' : dir;
};

/** `a/./b/../c` → `a/c`; '' for the project itself; undefined when it leaves the project. */
function normalize(path: string): string | undefined {
  const normal = posix.normalize(path === '' ? '.' : path).replace(/\/$/, '');
  if (normal === '.' || normal === '') return '';
  if (normal === '..' || normal.startsWith('../') || normal.startsWith('/')) return undefined;
  return normal;
}

const isDir = (root: string, path: string): boolean => {
  try {
    return statSync(join(root, path)).isDirectory();
  } catch {
    return false;
  }
};

const isFile = (root: string, path: string): boolean => {
  try {
    return statSync(join(root, path)).isFile();
  } catch {
    return false;
  }
};

/** Shell-like words: quotes removed, `&&`, `;`, `|` kept as their own words. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(&&|\|\||[;|&])|([^\s"';|&]+)/g)) {
    out.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
  }
  return out;
}

interface ServerCommand {
  /** `python-module` (`python -m app.main`) and `python-script` (`python main.py`) count only when they run an app file. */
  kind: 'module' | 'fastapi' | 'python-module' | 'python-script';
  /** `app.main` (module kinds), or the path given to `fastapi run` (undefined: its defaults) or to python. */
  target: string | undefined;
  /** `cd X` before the command on the same line. */
  cd: string | undefined;
  /** uvicorn's --app-dir, gunicorn's --chdir. */
  dir: string | undefined;
  /** gunicorn's --pythonpath entries. */
  pythonPath: string[];
  /** `python -m uvicorn`: the folder it starts in is on sys.path too. */
  viaPythonM: boolean;
  text: string;
}

function flagValue(args: string[], index: number, flag: string): string | undefined {
  const arg = args[index]!;
  if (arg === flag) return args[index + 1];
  if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  return undefined;
}

/** The server command in one line of a Procfile, script or README, if it has one. */
export function parseServerCommand(line: string): ServerCommand | undefined {
  return parseServer(line) ?? parsePython(line);
}

/** `python -m app.main` or `python main.py` (the app runs uvicorn itself under `if __name__ == "__main__"`). */
function parsePython(line: string): ServerCommand | undefined {
  const all = words(line);
  for (let i = 0; i < all.length; i += 1) {
    if (!/^python(\d(\.\d+)?)?$/.test(posix.basename(all[i]!))) continue;
    let cd: string | undefined;
    for (let j = 0; j < i; j += 1) if (all[j] === 'cd' && all[j + 1]) cd = all[j + 1];
    const next = all[i + 1] ?? '';
    const base = { cd, dir: undefined, pythonPath: [] as string[] };
    if (next === '-m' && /^[A-Za-z_][\w.]*$/.test(all[i + 2] ?? '')) {
      return {
        kind: 'python-module',
        target: all[i + 2],
        viaPythonM: true,
        text: all.slice(i, i + 3).join(' '),
        ...base,
      };
    }
    if (/\.py$/.test(next)) {
      return { kind: 'python-script', target: next, viaPythonM: false, text: all.slice(i, i + 2).join(' '), ...base };
    }
  }
  return undefined;
}

function parseServer(line: string): ServerCommand | undefined {
  const all = words(line);
  for (let i = 0; i < all.length; i += 1) {
    const base = posix.basename(all[i]!);
    let start = -1;
    let viaPythonM = false;
    if (SERVERS.has(base) || (base === 'fastapi' && (all[i + 1] === 'run' || all[i + 1] === 'dev'))) start = i;
    else if (/^python(\d(\.\d+)?)?$/.test(base) && all[i + 1] === '-m') {
      const next = all[i + 2] ?? '';
      if (SERVERS.has(next) || (next === 'fastapi' && (all[i + 3] === 'run' || all[i + 3] === 'dev'))) {
        start = i + 2;
        viaPythonM = true;
      }
    }
    if (start === -1) continue;
    const previous = all[i - 1];
    if (previous === 'install' || previous === 'add') continue;
    let end = start + 1;
    while (end < all.length && !['&&', '||', ';', '|', '&'].includes(all[end]!)) end += 1;
    const args = all.slice(start + 1, end);
    let cd: string | undefined;
    for (let j = 0; j < i; j += 1) if (all[j] === 'cd' && all[j + 1]) cd = all[j + 1];
    const text = all.slice(viaPythonM ? i : start, end).join(' ');
    const pythonPath: string[] = [];
    let dir: string | undefined;
    if (posix.basename(all[start]!) === 'fastapi') {
      const rest = args.slice(1);
      let target: string | undefined;
      for (let j = 0; j < rest.length; j += 1) {
        const arg = rest[j]!;
        if (FASTAPI_VALUE_FLAGS.has(arg)) j += 1;
        else if (!arg.startsWith('-')) {
          target = arg;
          break;
        }
      }
      return { kind: 'fastapi', target, cd, dir, pythonPath, viaPythonM, text };
    }
    let target: string | undefined;
    for (let j = 0; j < args.length; j += 1) {
      dir = flagValue(args, j, '--app-dir') ?? flagValue(args, j, '--chdir') ?? dir;
      const extra = flagValue(args, j, '--pythonpath');
      if (extra) pythonPath.push(...extra.split(','));
      if (!target && APP_TARGET.test(args[j]!)) target = APP_TARGET.exec(args[j]!)![1];
    }
    if (!target) continue;
    return { kind: 'module', target, cd, dir, pythonPath, viaPythonM, text };
  }
  return undefined;
}

interface FoundCommand {
  file: string;
  line: number;
  command: ServerCommand;
  /** The folder the command runs in, relative to the project; undefined when the file does not say. */
  cwd: string | undefined;
  /** Extra sys.path entries (a Dockerfile's PYTHONPATH), relative to the project. */
  pythonPath: string[];
  /** A README's example: not reported when it cannot be placed. */
  weak: boolean;
}

/** The context folder a container path comes from, by the Dockerfile's COPY/ADD lines (last one wins). */
function mapContainerPath(
  copies: Array<{ from: string; to: string }>,
  containerPath: string,
  context: string,
): string | undefined {
  for (const { from, to } of [...copies].reverse()) {
    const source = normalize(from);
    if (source === undefined) continue;
    if (containerPath === to || containerPath.startsWith(`${to}/`)) {
      return normalize(joinPosix(context, source, containerPath.slice(to.length + 1)));
    }
    if (to.startsWith(`${containerPath}/`)) {
      const below = to.slice(containerPath.length + 1);
      if (source === below) return context;
      if (source.endsWith(`/${below}`)) return normalize(joinPosix(context, source.slice(0, -below.length - 1)));
    }
  }
  return undefined;
}

function readDockerfile(root: string, file: string, text: string): FoundCommand[] {
  const context = dirOf(file);
  let workdir = '/';
  const copies: Array<{ from: string; to: string }> = [];
  const pythonPath: string[] = [];
  let cmd: { line: number; words: string } | undefined;
  let entrypoint: { line: number; words: string } | undefined;
  const absolute = (path: string): string => posix.normalize(path.startsWith('/') ? path : posix.join(workdir, path));
  const execForm = (rest: string): string => {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String).join(' ');
    } catch {
      // Shell form.
    }
    return rest;
  };
  text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(raw);
      if (!match) return;
      const instruction = match[1]!.toUpperCase();
      const rest = match[2]!.trim();
      if (instruction === 'WORKDIR') workdir = absolute(rest);
      else if (instruction === 'COPY' || instruction === 'ADD') {
        const parts = execForm(rest)
          .split(/\s+/)
          .filter((part) => !part.startsWith('--'));
        if (parts.length >= 2) {
          const to = absolute(parts[parts.length - 1]!).replace(/\/$/, '') || '/';
          for (const from of parts.slice(0, -1)) copies.push({ from, to });
        }
      } else if (instruction === 'ENV') {
        const value = /PYTHONPATH[=\s]+("?)([^"\s]+)\1/.exec(rest)?.[2];
        if (value) pythonPath.push(...value.split(':').filter((entry) => entry !== '' && !entry.startsWith('$')));
      } else if (instruction === 'CMD') cmd = { line: index + 1, words: execForm(rest) };
      else if (instruction === 'ENTRYPOINT') entrypoint = { line: index + 1, words: execForm(rest) };
    });
  const line = cmd ?? entrypoint;
  if (!line) return [];
  const command = parseServerCommand([entrypoint?.words, cmd?.words].filter(Boolean).join(' '));
  if (!command) return [];
  const cwd = mapContainerPath(copies, workdir, context);
  const mapped = pythonPath.map((entry) => mapContainerPath(copies, absolute(entry), context));
  return [
    {
      file,
      line: line.line,
      command,
      cwd: cwd !== undefined && isDir(root, cwd) ? cwd : undefined,
      pythonPath: mapped.filter((entry): entry is string => entry !== undefined),
      weak: false,
    },
  ];
}

/** Start commands in the project's Procfiles, Dockerfiles, compose files, scripts, Makefiles and READMEs. */
export function findStartCommands(root: string): FoundCommand[] {
  const files = globSync(
    [
      '**/Procfile',
      '**/Dockerfile',
      '**/Dockerfile.*',
      '**/*.Dockerfile',
      '**/*compose*.y*ml',
      '**/*.sh',
      '**/Makefile',
      '**/README*',
    ],
    { cwd: root, deep: 4, ignore: IGNORED, dot: false },
  )
    .map((file) => file.split('\\').join('/'))
    .sort();
  const found: FoundCommand[] = [];
  for (const file of files) {
    const text = readProjectFile(root, file);
    if (text === undefined) continue;
    const name = posix.basename(file);
    if (/Dockerfile/.test(name)) {
      found.push(...readDockerfile(root, file, text));
      continue;
    }
    const procfile = name === 'Procfile';
    const weak = /^README/i.test(name);
    text.split(/\r?\n/).forEach((raw, index) => {
      if (/^\s*#/.test(raw) && !weak) return;
      const line = procfile ? raw.replace(/^\s*[\w-]+\s*:/, '') : raw.replace(/^\s*command\s*:/, '');
      const command = parseServerCommand(line);
      if (!command) return;
      found.push({
        file,
        line: index + 1,
        command,
        // A Procfile's commands run in its folder; elsewhere the folder is not written down.
        cwd: procfile ? dirOf(file) : undefined,
        pythonPath: [],
        weak,
      });
    });
  }
  return found;
}

/** Folders from which `module` names a project file, nearest the apps first. */
function foldersResolving(root: string, files: string[], module: string, appFiles: Set<string>): string[] {
  const tail = module.split('.').join('/');
  const hits = files.flatMap((file) => {
    for (const suffix of [`${tail}.py`, `${tail}/__init__.py`]) {
      if (file === suffix) return [{ folder: '', file }];
      if (file.endsWith(`/${suffix}`)) return [{ folder: file.slice(0, -suffix.length - 1), file }];
    }
    return [];
  });
  const ranked = [...hits.filter((hit) => appFiles.has(hit.file)), ...hits.filter((hit) => !appFiles.has(hit.file))];
  return [...new Set(ranked.map((hit) => hit.folder))].filter(
    (folder) => resolveModuleStatically(root, [folder], module).found,
  );
}

/** The folder above the outermost package holding `file`, as fastapi-cli puts it on sys.path. */
function fastapiSysPath(root: string, target: string): string {
  let dir = isDir(root, target) ? target : dirOf(target);
  while (dir !== '' && isFile(root, joinPosix(dir, '__init__.py'))) dir = dirOf(dir);
  return dir;
}

/** Where the command starts the app; a string says why that cannot be told; null: it does not start this app. */
function place(root: string, found: FoundCommand, files: string[], appFiles: Set<string>): StartPlace | string | null {
  const { command } = found;
  const base = found.cwd === undefined ? undefined : normalize(joinPosix(found.cwd, command.cd ?? ''));
  if (found.cwd !== undefined && base === undefined) return `its folder ${command.cd} is outside the project`;
  const how = `where ${found.file}:${found.line} starts it: ${command.text}`;
  const extra = found.pythonPath;
  if (command.kind === 'python-script') {
    const target = command.target!;
    const scripts =
      base !== undefined
        ? [normalize(joinPosix(base, target))].filter(
            (file): file is string => file !== undefined && appFiles.has(file),
          )
        : [...appFiles].filter((file) => file === normalize(target) || file.endsWith(`/${normalize(target)}`));
    if (scripts.length !== 1) return null;
    const script = scripts[0]!;
    const cwd = base ?? script.slice(0, Math.max(0, script.length - (normalize(target) ?? '').length - 1));
    // Python puts the script's own folder first on sys.path.
    return { path: [...new Set([dirOf(script), ...extra])], cwd, how, file: found.file, line: found.line };
  }
  if (command.kind === 'python-module') {
    const target = command.target!;
    const entries = base !== undefined ? [base] : foldersResolving(root, files, target, appFiles).slice(0, 1);
    const entry = entries[0];
    if (entry === undefined) return null;
    const resolved = resolveModuleStatically(root, [entry, ...extra], target);
    if (!resolved.found || !appFiles.has(resolved.file)) return null;
    return { path: [...new Set([entry, ...extra])], cwd: entry, how, file: found.file, line: found.line };
  }
  if (command.kind === 'fastapi') {
    if (base !== undefined) {
      const target = command.target
        ? normalize(joinPosix(base, command.target))
        : FASTAPI_DEFAULTS.map((file) => joinPosix(base, file)).find((file) => isFile(root, file));
      if (target === undefined || !(isFile(root, target) || isDir(root, target)))
        return `${command.target ?? 'none of fastapi run\u2019s default files'} is not there from ${base || '.'}`;
      const path = [fastapiSysPath(root, target), ...extra, ...(command.viaPythonM ? [base] : [])];
      return { path, cwd: base, how, file: found.file, line: found.line };
    }
    if (!command.target) return 'the folder it runs in is not written down';
    const suffix = normalize(command.target);
    if (suffix === undefined) return `${command.target} is outside the project`;
    const folders = [
      ...new Set(
        files
          .filter((file) => file === suffix || file.endsWith(`/${suffix}`))
          .map((file) => file.slice(0, -suffix.length - 1)),
      ),
    ];
    if (folders.length !== 1)
      return `${command.target} is ${folders.length === 0 ? 'no file' : 'more than one file'} in the project`;
    const cwd = folders[0]!;
    const target = joinPosix(cwd, suffix);
    return { path: [fastapiSysPath(root, target), ...extra], cwd, how, file: found.file, line: found.line };
  }
  const target = command.target!;
  if (base !== undefined) {
    const entries = [
      normalize(joinPosix(base, command.dir ?? '')) ?? base,
      ...command.pythonPath.map((entry) => normalize(joinPosix(base, command.dir ?? '', entry)) ?? base),
      ...extra,
      ...(command.viaPythonM ? [base] : []),
    ];
    const path = [...new Set(entries)];
    const resolved = resolveModuleStatically(root, path, target);
    // Installed packages may provide it; an app module not in the project means doctor cannot place it.
    if (!resolved.found) return `${target} does not resolve from ${path.map((entry) => entry || '.').join(', ')}`;
    return { path, cwd: base, how, file: found.file, line: found.line };
  }
  const folders = foldersResolving(root, files, target, appFiles);
  if (folders.length === 0) return `${target} is no module of the project`;
  const entry = folders[0]!;
  const dir = command.dir === undefined ? undefined : normalize(command.dir);
  const cwd = dir && entry.endsWith(`/${dir}`) ? entry.slice(0, -dir.length - 1) : entry;
  return { path: [...new Set([entry, ...extra])], cwd, how, file: found.file, line: found.line };
}

/**
 * The places the app is started from: each start command found in the project (a Procfile runs in its
 * folder; a Dockerfile's WORKDIR is traced back through its COPY lines; elsewhere the folder is the one from
 * which the command's module names a project file), else the source root the app's module resolves from.
 */
export function findStartPlaces(
  root: string,
  analysis: AnalysisResult,
): { places: StartPlace[]; unplaced: UnplacedStart[] } {
  // doctor asks twice per run (imports, database): the project is read once.
  const known = placesSeen.get(analysis);
  if (known?.root === root) return known.result;
  const result = findStartPlacesOnce(root, analysis);
  placesSeen.set(analysis, { root, result });
  return result;
}

const placesSeen = new WeakMap<
  AnalysisResult,
  { root: string; result: { places: StartPlace[]; unplaced: UnplacedStart[] } }
>();

function findStartPlacesOnce(
  root: string,
  analysis: AnalysisResult,
): { places: StartPlace[]; unplaced: UnplacedStart[] } {
  const commands = findStartCommands(root);
  const places: StartPlace[] = [];
  const unplaced: UnplacedStart[] = [];
  if (commands.length > 0) {
    const files = globSync(['**/*.py'], { cwd: root, deep: 8, ignore: IGNORED })
      .map((file) => file.split('\\').join('/'))
      .sort();
    const appFiles = new Set(analysis.apps.map((app) => app.file));
    const results = commands.flatMap((found) => {
      const result = place(root, found, files, appFiles);
      return result === null ? [] : [{ found, result }];
    });
    // A README's example counts only when no Procfile, Dockerfile, compose file or script starts the app.
    const strong = results.filter(({ found }) => !found.weak);
    for (const { found, result } of strong.length > 0 ? strong : results) {
      if (typeof result === 'string') {
        if (!found.weak)
          unplaced.push({ file: found.file, line: found.line, command: found.command.text, why: result });
      } else if (!places.some((known) => known.path.join('\n') === result.path.join('\n'))) {
        places.push(result);
      }
    }
  }
  if (places.length === 0 && unplaced.length === 0) {
    const app = analysis.apps.find((candidate) => candidate.mountedAt.length === 0) ?? analysis.apps[0];
    const sourceRoot =
      appSourceRoots(analysis)[0] ??
      analysis.sourceRoots
        .filter((candidate) => !app || candidate.path === '' || app.file.startsWith(`${candidate.path}/`))
        .sort((a, b) => b.path.length - a.path.length)[0];
    if (sourceRoot) {
      places.push({
        path: [sourceRoot.path],
        // Where the process starts is not written down: taken to be the project folder.
        cwd: '',
        how: `the source root${app ? ` of ${app.file}` : ''}; no start command found in a Procfile, Dockerfile, compose file, script or README`,
      });
    }
  }
  return { places, unplaced };
}
