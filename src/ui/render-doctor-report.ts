import type { Check, DoctorReport } from '../doctor/types.js';
import type { Palette } from './palette.js';

const GROUPS: Array<[prefix: string, title: string]> = [
  ['project', 'Project'],
  ['config', 'Config'],
  ['routes', 'Routes'],
  ['runtime', 'Runtime'],
  ['wiring', 'Wiring'],
  ['email', 'Email'],
  ['env', 'Environment'],
  ['database', 'Database'],
  ['stripe', 'Stripe'],
  ['install', 'Install'],
];

const groupOf = (check: Check): string => check.id.split('.')[0] ?? check.id;

/** The JSON document of PRODUCT.md §5: `{ ok, checks: [{ id, status, message, file?, line?, fix? }] }`, plus `col` on config diagnostics. */
export function buildJsonReport(report: DoctorReport): unknown {
  return {
    ok: report.ok,
    checks: report.checks.map((check) => ({
      id: check.id,
      status: check.status,
      message: check.message,
      ...(check.file !== undefined ? { file: check.file } : {}),
      ...(check.line !== undefined ? { line: check.line } : {}),
      ...(check.col !== undefined ? { col: check.col } : {}),
      ...(check.fix !== undefined ? { fix: check.fix } : {}),
    })),
  };
}

function location(check: Check): string | undefined {
  if (check.file === undefined || check.status === 'pass') return undefined;
  return [check.file, check.line, check.line !== undefined ? check.col : undefined]
    .filter((part) => part !== undefined)
    .join(':');
}

/** Checks grouped under a title each, ✓ ⚠ ✗ per line, the location and fix under each problem, then a tally. */
export function renderReport(report: DoctorReport, palette: Palette): string {
  const lines: string[] = [];
  const known = new Set(GROUPS.map(([prefix]) => prefix));
  const groups = [...GROUPS];
  for (const check of report.checks) {
    const prefix = groupOf(check);
    if (!known.has(prefix)) {
      known.add(prefix);
      groups.push([prefix, prefix]);
    }
  }
  for (const [prefix, title] of groups) {
    const checks = report.checks.filter((check) => groupOf(check) === prefix);
    if (checks.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(palette.bold(title));
    for (const check of checks) {
      const mark =
        check.status === 'pass'
          ? palette.success('✓')
          : check.status === 'warn'
            ? palette.warn('⚠')
            : palette.error('✗');
      lines.push(`  ${mark} ${check.message}`);
      const where = location(check);
      if (where) lines.push(`      ${palette.accent(where)}`);
      if (check.detail && check.status !== 'pass') {
        for (const frameLine of check.detail.split('\n')) lines.push(`      ${palette.dim(frameLine)}`);
      }
      if (check.fix) lines.push(`      ${palette.dim('→')} ${check.fix}`);
    }
  }
  const count = (status: Check['status']): number => report.checks.filter((check) => check.status === status).length;
  const passed = count('pass');
  const warned = count('warn');
  const failed = count('fail');
  lines.push('');
  const tally = [
    palette.success(`${passed} passed`),
    warned > 0 ? palette.warn(`${warned} warning${warned === 1 ? '' : 's'}`) : `${warned} warnings`,
    failed > 0 ? palette.error(`${failed} failed`) : `${failed} failed`,
  ].join(' · ');
  lines.push(tally);
  return `${lines.join('\n')}\n`;
}
