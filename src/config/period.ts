const UNIT_SECONDS = { m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** `'30d'` → 2592000 seconds; undefined unless the text is `<n>m`, `<n>h`, `<n>d` or `<n>w` with a whole n >= 1. */
export function parsePeriod(period: string): number | undefined {
  const match = /^([1-9][0-9]{0,5})([mhdw])$/.exec(period);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}
