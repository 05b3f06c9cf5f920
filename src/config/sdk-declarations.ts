import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SdkFile {
  /** File name inside the SDK folder, e.g. `loop-types.ts` or `loop-types.d.ts`. */
  name: string;
  text: string;
}

/** The module names a config may import `defineLoop` from (older pages show `@skene/sdk`). */
export const SDK_MODULE_NAMES = ['skene', '@skene/sdk'] as const;

let cached: SdkFile[] | undefined;

/**
 * skene's own SDK files, used as the declarations a config is type-checked against: the `src/sdk/*.ts`
 * sources when skene runs from source, the emitted `dist/sdk/*.d.ts` when it runs built. One source of
 * truth, so the reader can never drift from the types users import.
 */
export function loadSdkFiles(): SdkFile[] {
  if (cached) return cached;
  const fromSource = import.meta.url.endsWith('.ts');
  const folder = fileURLToPath(new URL('../sdk/', import.meta.url));
  const wanted = (name: string): boolean =>
    fromSource ? name.endsWith('.ts') && !name.endsWith('.d.ts') : name.endsWith('.d.ts');
  const files = readdirSync(folder)
    .filter(wanted)
    .sort()
    .map((name) => ({ name, text: readFileSync(`${folder}${name}`, 'utf8') }));
  if (!files.some((f) => f.name === 'index.ts' || f.name === 'index.d.ts')) {
    throw new Error(`skene: its SDK declarations are missing from ${folder}`);
  }
  cached = files;
  return files;
}
