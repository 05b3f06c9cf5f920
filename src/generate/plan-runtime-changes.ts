import type { FileChange } from '../io/file-change.js';
import { buildFileChange } from '../io/read-project-file.js';
import type { GeneratedFile } from './build-runtime-files.js';
import { MIGRATION_REVISION } from './runtime-contract.js';

/**
 * One change per generated file, from what is on disk now (`current`: path → text, undefined when
 * missing). A user-editable file that exists is left as it is, whatever skene would write.
 */
export function planRuntimeChanges(
  files: GeneratedFile[],
  current: ReadonlyMap<string, string | undefined>,
): FileChange[] {
  return files.map((file) => {
    const before = current.get(file.path);
    if (file.userEditable && before !== undefined) {
      return { path: file.path, action: 'skip', before, after: before, reason: 'yours to edit; kept' };
    }
    return buildFileChange(file.path, before, file.content);
  });
}

const REVISION = /^revision\s*(?::[^=]+)?=\s*['"]([^'"]+)['"]/m;
const DOWN_REVISION = /^down_revision\s*(?::[^=]+)?=\s*(.+)$/m;

/** `revision` and `down_revision` ids of an Alembic migration file. */
export function readAlembicRevision(source: string): { revision: string; downRevisions: string[] } | undefined {
  const revision = REVISION.exec(source)?.[1];
  if (!revision) return undefined;
  const down = DOWN_REVISION.exec(source)?.[1] ?? 'None';
  const downRevisions = [...down.matchAll(/['"]([^'"]+)['"]/g)].map((match) => match[1] as string);
  return { revision, downRevisions };
}

/**
 * The revision skene's migration should follow: the single head of the app's migrations, or null
 * (no migrations, or several heads: skene's migration then starts its own branch). `sources` are the
 * files of the versions folder. Once skene's migration exists it keeps the place it has: it may already
 * be applied, and the app's later migrations may follow it.
 */
export function findAlembicHead(sources: string[]): string | null {
  const revisions = sources.map(readAlembicRevision).filter((r) => r !== undefined);
  const existing = revisions.find((r) => r.revision === MIGRATION_REVISION);
  if (existing) return existing.downRevisions[0] ?? null;
  const referenced = new Set(revisions.flatMap((r) => r.downRevisions));
  const heads = revisions.filter((r) => !referenced.has(r.revision));
  return heads.length === 1 ? (heads[0]?.revision ?? null) : null;
}
