export type TsMorph = typeof import('ts-morph');

let loading: Promise<TsMorph> | undefined;

/** ts-morph (and the TypeScript compiler inside it) is large: load it once, only when a config is read or written. */
export function loadTsMorph(): Promise<TsMorph> {
  loading ??= import('ts-morph');
  return loading;
}
