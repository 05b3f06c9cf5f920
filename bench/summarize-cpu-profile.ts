/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and tells where the time went: self time per
 * function, self time per source file, and inclusive time of chosen functions (time spent in them and
 * everything they called), so a phase such as `extractModuleStatements` can be weighed as a whole.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  selfByFunction: Array<{ name: string; ms: number }>;
  selfByFile: Array<{ file: string; ms: number }>;
  inclusive: Array<{ name: string; ms: number }>;
}

const shortUrl = (url: string): string => {
  if (!url) return '(native)';
  const marker = url.lastIndexOf('/node_modules/');
  if (marker >= 0) return url.slice(marker + 1);
  const dist = url.search(/\/(dist|src|bench)\//);
  return dist >= 0 ? url.slice(dist + 1) : url.replace(/^file:\/\//, '');
};

const frameName = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
};

/** `inclusiveOf`: function names (as V8 names them) whose inclusive time is reported. */
export function summarizeCpuProfile(path: string, inclusiveOf: string[], top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfMs = new Map<number, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
  });

  const addTo = (map: Map<string, number>, key: string, ms: number): void => {
    map.set(key, (map.get(key) ?? 0) + ms);
  };
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const wanted = new Set(inclusiveOf);
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    addTo(byFunction, frameName(node), ms);
    addTo(byFile, shortUrl(node.callFrame.url), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)?.callFrame.functionName;
      if (name && wanted.has(name) && !seen.has(name)) {
        seen.add(name);
        addTo(inclusive, name, ms);
      }
    }
  }
  const sorted = <K extends string>(map: Map<string, number>, key: K): Array<Record<K, string> & { ms: number }> =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => ({ [key]: name, ms }) as Record<K, string> & { ms: number });
  return {
    totalMs,
    selfByFunction: sorted(byFunction, 'name').slice(0, top),
    selfByFile: sorted(byFile, 'file').slice(0, top),
    inclusive: inclusiveOf.map((name) => ({ name, ms: inclusive.get(name) ?? 0 })),
  };
}
