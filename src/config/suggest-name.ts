/**
 * The known name a misspelt one most likely meant, for "did you mean" hints; undefined when none is
 * close. Case is ignored, a swap of two neighbouring letters counts as one typo (`stesp` → `steps`),
 * and a name cut short counts as meant (`retry` → `retries`).
 */
export function suggestName(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = typoDistance(lower, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.name.length) / 3));
  if (best.distance <= allowed) return best.name;
  const prefixOf = candidates.find((c) => lower.length >= 4 && c.toLowerCase().startsWith(lower.slice(0, -1)));
  return prefixOf;
}

/** Edits (insert, delete, substitute, swap of adjacent letters) from a to b: the optimal string alignment distance. */
export function typoDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
