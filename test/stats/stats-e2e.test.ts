/**
 * `skene stats` on a seeded app: test/stats/seed_app.py serves the links app (test/stats/app) with the runtime
 * skene generates and drives it over HTTP (users hit the limit, get the warning and the prompt from a local
 * Resend-shaped server, click the 402 body's link, subscribe through signed Stripe webhooks), on SQLite and on a
 * throwaway PostgreSQL, on each Python lane. While the app still runs (the SQLite WAL not checkpointed) the built
 * CLI reads the funnel; the test asserts its figures in the three formats, and opens the HTML report in headless
 * Chromium (Debian's `chromium`): a screenshot, and the size and text of what the page rendered.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import initSqlJs from 'sql.js';
import { repoRoot, runSkene } from '../cli/helpers.js';
import { type PythonLane, pythonLanes, requestedLaneNames } from '../helpers/python-lanes.js';

const CHROMIUM = '/usr/bin/chromium';
const ESC = String.fromCharCode(27);

type SeededEvent = [kind: string, step: string, user: string, at: number];

interface Seeded {
  databaseUrl: string;
  events: SeededEvent[];
  walBytes: number | null;
  emails: number;
}

/** seed_app.py on `lane`: the seeded app keeps running until `stopApp()` or `exit()`. */
class SeededApp {
  private readonly lines: AsyncIterator<string>;
  private stderr = '';
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  static async start(lane: PythonLane, root: string, dialect: 'sqlite' | 'postgresql'): Promise<[SeededApp, Seeded]> {
    const [program, ...args] = lane.python;
    const child = spawn(program, [...args, join('test', 'stats', 'seed_app.py'), root, dialect], {
      cwd: repoRoot,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const app = new SeededApp(child);
    return [app, (await app.next()) as Seeded];
  }

  private async next(): Promise<unknown> {
    const line = await this.lines.next();
    if (line.done) throw new Error(`seed_app.py ended early:\n${this.stderr.slice(-4000)}`);
    return JSON.parse(line.value);
  }

  async stopApp(): Promise<void> {
    this.child.stdin?.write('stop-app\n');
    assert.deepEqual(await this.next(), { stopped: true });
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end('exit\n');
    await exited;
  }
}

/** The figures the scenario of seed_app.py must give, the medians from the seeded events themselves. */
function expectedFigures(events: SeededEvent[]) {
  const first = (kind: string, user: string, step?: string): number =>
    Math.min(...events.filter((e) => e[0] === kind && e[2] === user && (!step || e[1] === step)).map((e) => e[3]));
  const mid = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const m = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  const delay = (user: string, step?: string): number =>
    first('converted', user, step) - first('limit_reached', user, step);
  return {
    reports: {
      users: [3, 3, 3, 2, 1],
      ofPrevious: [null, 1, 1, 2 / 3, 1 / 2],
      ofLimit: [1, 1, 1, 2 / 3, 1 / 3],
      conversionRate: 1 / 3,
      warnedUsers: 4,
      median: delay('1', 'reports'),
      cohort: { users: 3, converted: 1, rate: 1 / 3 },
    },
    exports: {
      users: [2, 0, 0, 1, 2],
      ofPrevious: [null, 0, null, null, 1],
      ofLimit: [1, 0, 0, 1 / 2, 1],
      conversionRate: 1,
      warnedUsers: 0,
      median: mid([delay('1', 'exports'), delay('5', 'exports')]),
      cohort: { users: 2, converted: 2, rate: 1 },
    },
    overall: {
      users: [4, 3, 3, 3, 2],
      ofPrevious: [null, 3 / 4, 1, 2 / 3, 2 / 3],
      ofLimit: [1, 3 / 4, 3 / 4, 3 / 4, 1 / 2],
      conversionRate: 1 / 2,
      warnedUsers: 4,
      median: mid([delay('1'), delay('5')]),
      cohort: { users: 4, converted: 2, rate: 1 / 2 },
    },
  };
}

/** Monday (UTC) of the week of `seconds`, `YYYY-MM-DD`, computed by Date rather than skene's arithmetic. */
function mondayOf(seconds: number): string {
  const day = new Date(seconds * 1000);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

interface FunnelJson {
  stepId: string | null;
  stages: Array<{ id: string; users: number; ofPrevious: number | null; ofLimit: number | null }>;
  conversionRate: number | null;
  medianSecondsToConvert: number | null;
  warnedUsers: number;
  cohorts: Array<{ week: string; users: number; converted: number; rate: number | null }>;
}

function assertFunnel(actual: FunnelJson, expected: ReturnType<typeof expectedFigures>['reports'], week: string) {
  const label = actual.stepId ?? 'all steps';
  assert.deepEqual(
    actual.stages.map((s) => s.id),
    ['limit', 'warned', 'prompted', 'clicked', 'converted'],
  );
  assert.deepEqual(
    actual.stages.map((s) => s.users),
    expected.users,
    label,
  );
  assert.deepEqual(
    actual.stages.map((s) => s.ofPrevious),
    expected.ofPrevious,
    label,
  );
  assert.deepEqual(
    actual.stages.map((s) => s.ofLimit),
    expected.ofLimit,
    label,
  );
  assert.equal(actual.conversionRate, expected.conversionRate, label);
  assert.equal(actual.warnedUsers, expected.warnedUsers, label);
  assert.ok(
    Math.abs((actual.medianSecondsToConvert ?? Number.NaN) - expected.median) < 1e-6,
    `${label}: median ${actual.medianSecondsToConvert} != ${expected.median}`,
  );
  assert.ok(expected.median >= 1, `${label}: the conversions came after a pause (${expected.median} s)`);
  assert.deepEqual(actual.cohorts, [{ week, ...expected.cohort }], label);
}

async function statsJson(root: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  const run = await runSkene(['stats', root, '--json', ...extra], { env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  return JSON.parse(run.stdout);
}

/** skene_events rows of a SQLite main file read alone, without its WAL (sql.js opens a copy in memory). */
async function eventsInMainFileAlone(file: string): Promise<number> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(file));
  try {
    const tables = db.exec("SELECT name FROM sqlite_master WHERE name = 'skene_events'");
    if (tables.length === 0) return 0;
    return Number(db.exec('SELECT COUNT(*) FROM skene_events')[0]?.values[0]?.[0] ?? 0);
  } finally {
    db.close();
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'skene-stats-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const lanes = await pythonLanes();
assert.equal(lanes.length, requestedLaneNames().length);

for (const lane of lanes) {
  for (const dialect of ['sqlite', 'postgresql'] as const) {
    describe(`skene stats on a seeded app (${lane.name}, ${dialect})`, () => {
      it('reports the funnel exactly, in JSON and in the terminal', async (t) => {
        const root = mkdtempSync(join(scratch, `${lane.name}-${dialect}-`));
        const [app, seeded] = await SeededApp.start(lane, root, dialect);
        try {
          const kinds = (kind: string) => seeded.events.filter((e) => e[0] === kind).length;
          assert.deepEqual(
            ['limit_reached', 'limit_warning', 'prompt_sent', 'upgrade_clicked', 'converted'].map(kinds),
            [5, 4, 3, 3, 3],
          );
          // SQLite: the URL comes from the project's .env (sqlite:///skene.db, relative to the app's folder);
          // PostgreSQL: from the environment.
          const env: NodeJS.ProcessEnv = dialect === 'postgresql' ? { SKENE_DATABASE_URL: seeded.databaseUrl } : {};
          const expected = expectedFigures(seeded.events);
          const week = mondayOf(Math.min(...seeded.events.filter((e) => e[0] === 'limit_reached').map((e) => e[3])));
          if (dialect === 'sqlite') {
            assert.ok((seeded.walBytes ?? 0) > 32, `a WAL with frames (${seeded.walBytes} bytes)`);
            const alone = await eventsInMainFileAlone(join(root, 'skene.db'));
            assert.ok(alone < seeded.events.length, `the main file alone holds ${alone} of the events`);
          }
          const document = await statsJson(root, env);
          assert.equal(document.ok, true);
          assert.equal(document.database.dialect, dialect);
          assert.equal(
            document.database.source,
            dialect === 'sqlite' ? 'SKENE_DATABASE_URL in .env' : 'SKENE_DATABASE_URL',
          );
          assert.equal(document.database.driver, dialect === 'sqlite' ? 'sql.js' : 'pg');
          assert.deepEqual(
            document.steps.map((s: FunnelJson) => s.stepId),
            ['exports', 'reports'],
          );
          assertFunnel(document.steps[0], expected.exports, week);
          assertFunnel(document.steps[1], expected.reports, week);
          assertFunnel(document.overall, expected.overall, week);

          const one = await statsJson(root, env, ['--step', 'reports', '--since', '1h']);
          assert.deepEqual(
            one.steps.map((s: FunnelJson) => s.stepId),
            ['reports'],
          );
          assertFunnel(one.steps[0], expected.reports, week);
          assert.equal(one.period.since, '1h');
          const unknown = await runSkene(['stats', root, '--json', '--step', 'nope'], { env });
          assert.equal(unknown.code, 2);
          assert.match(JSON.parse(unknown.stdout).error.hint, /Steps: exports, reports\./);

          const terminal = await runSkene(['stats', root], { env });
          assert.equal(terminal.code, 0, terminal.stderr);
          t.diagnostic(`skene stats (${lane.name}, ${dialect}):\n${terminal.stdout}`);
          assert.ok(!terminal.stdout.includes(ESC), 'no colour with NO_COLOR and no TTY');
          const reports = terminal.stdout.slice(terminal.stdout.indexOf('Step reports'));
          assert.match(reports, /Hit the limit {8}3 {16}100% {2}█{24}\n/);
          assert.match(reports, /Clicked upgrade {6}2 {5}66\.7% {5}66\.7% {2}█{16}\n/);
          assert.match(reports, /Converted {12}1 {7}50% {5}33\.3% {2}█{8}\n/);
          assert.match(reports, /Conversion 33\.3% · median time from limit to conversion \d+ s/);
          assert.match(reports, new RegExp(`${week} {6}3 {10}1 {2}33\\.3% {2}█{8}░{16}\\n`));
          assert.match(
            terminal.stdout,
            /All steps \(each user once\)\n[\s\S]*Converted {12}2 {5}66\.7% {7}50% {2}█{12}\n/,
          );
          const coloured = await runSkene(['stats', root], { env: { ...env, NO_COLOR: '', FORCE_COLOR: '1' } });
          assert.ok(coloured.stdout.includes(`${ESC}[36m${'█'.repeat(24)}`), coloured.stdout);

          if (dialect === 'sqlite') {
            // Without .env, the generated integration's DEFAULT_DATABASE_URL (sqlite:///skene.db) names the same file.
            renameSync(join(root, '.env'), join(root, 'env.saved'));
            const byDefault = await statsJson(root, env);
            assert.equal(byDefault.database.source, 'DEFAULT_DATABASE_URL of linksapp/skene/_integration.py');
            assert.deepEqual(byDefault.overall, document.overall);
            renameSync(join(root, 'env.saved'), join(root, '.env'));
            // The app stops (whether its last connection checkpointed the WAL depends on the Python lane's
            // sqlite3 closing it): the figures stay.
            await app.stopApp();
            const checkpointed = await statsJson(root, env);
            assert.deepEqual(checkpointed.steps, document.steps);
            assert.deepEqual(checkpointed.overall, document.overall);
          }
          if (lane.name === lanes[0]!.name && dialect === 'sqlite') await checkHtmlReport(t, root, env, expected);
        } finally {
          await app.exit();
        }
      });
    });
  }
}

function chromium(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', ...args],
      { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/** Width, height and RGBA pixels of a PNG (8-bit RGB or RGBA, as Chromium writes its screenshots). */
function decodePng(file: string): { width: number; height: number; pixel(x: number, y: number): number[] } {
  const data = readFileSync(file);
  assert.equal(data.subarray(1, 4).toString(), 'PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (at < data.length) {
    const length = data.readUInt32BE(at);
    const type = data.subarray(at + 4, at + 8).toString();
    const body = data.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'bit depth');
      channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
      assert.ok(channels > 0, `colour type ${body[9]}`);
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels]! : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [...pixels.subarray(y * stride + x * channels, y * stride + x * channels + 3)],
  };
}

async function checkHtmlReport(
  t: { diagnostic(message: string): void },
  root: string,
  env: NodeJS.ProcessEnv,
  expected: ReturnType<typeof expectedFigures>,
): Promise<void> {
  const report = join(root, 'funnel.html');
  const written = await runSkene(['stats', root, '--html', report], { env });
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stdout, '');
  const html = readFileSync(report, 'utf8');
  // Self-contained: no script, no link to anything outside the file.
  assert.doesNotMatch(html, /<script|<link|src=|url\(|@import|https?:\/\//i);

  const shot = join(root, 'funnel.png');
  await chromium(['--window-size=1100,2400', `--screenshot=${shot}`, `file://${report}`]);
  const png = decodePng(shot);
  assert.deepEqual([png.width, png.height], [1100, 2400]);
  // The funnel's bars are painted in the report's accent colour (#3b5bdb): count its pixels.
  let accent = 0;
  for (let y = 0; y < png.height; y += 2) {
    for (let x = 0; x < png.width; x += 2) {
      const [r, g, b] = png.pixel(x, y);
      if (Math.abs(r! - 0x3b) < 6 && Math.abs(g! - 0x5b) < 6 && Math.abs(b! - 0xdb) < 6) accent += 4;
    }
  }
  t.diagnostic(`screenshot ${shot}: ${png.width}x${png.height}, ${accent} px of the bars' colour`);
  assert.ok(accent > 30_000, `${accent} px of bars`);

  // The page as Chromium laid it out, measured by a page of the test's own that frames the report.
  const probe = join(root, 'probe.html');
  writeFileSync(
    probe,
    `<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="report" src="funnel.html" style="width:1100px;height:2400px;border:0"></iframe>
<script>
document.getElementById('report').addEventListener('load', () => {
  const d = document.getElementById('report').contentDocument;
  const box = (e) => { const r = e.getBoundingClientRect(); return { w: r.width, h: r.height }; };
  const out = {
    title: d.title,
    sections: [...d.querySelectorAll('section.step')].map((s) => ({
      step: s.dataset.step,
      heading: s.querySelector('h2').textContent,
      figures: Object.fromEntries([...s.querySelectorAll('.figure')].map((f) => [f.dataset.figure, f.querySelector('.figure-value').textContent])),
      funnel: box(s.querySelector('svg.funnel-chart')),
      bars: [...s.querySelectorAll('rect.bar')].map((r) => ({ stage: r.dataset.stage, ...box(r) })),
      track: box(s.querySelector('rect.track')),
      cohorts: [...s.querySelectorAll('g.cohort')].map((g) => ({
        week: g.dataset.week,
        users: box(g.querySelector('rect.cohort-users')),
        converted: box(g.querySelector('rect.cohort-converted')),
        rate: g.querySelector('.cohort-rate').textContent,
      })),
      rows: [...s.querySelectorAll('table.funnel-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent)),
    })),
  };
  document.getElementById('out').textContent = JSON.stringify(out);
});
</script></body></html>`,
  );
  const dom = await chromium([
    '--allow-file-access-from-files',
    '--virtual-time-budget=10000',
    '--dump-dom',
    `file://${probe}`,
  ]);
  const match = /<pre id="out">([^<]*)<\/pre>/.exec(dom);
  assert.ok(match && match[1] !== 'pending', `the probe measured the page:\n${dom.slice(0, 500)}`);
  const page = JSON.parse(match[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  assert.equal(page.title, 'skene stats: the upgrade funnel');
  assert.deepEqual(
    page.sections.map((s: { step: string; heading: string }) => [s.step, s.heading]),
    [
      ['*', 'All steps (each user once)'],
      ['exports', 'Step exports'],
      ['reports', 'Step reports'],
    ],
  );
  const reports = page.sections[2];
  assert.deepEqual(reports.figures, {
    limit: '3',
    conversion: '33.3%',
    median: `${Math.round(expected.reports.median)} s`,
  });
  assert.ok(reports.funnel.w >= 600 && reports.funnel.h >= 200, JSON.stringify(reports.funnel));
  // Each bar is as long as its share of the users who hit the limit, on a track of the full length.
  const full = reports.track.w;
  assert.ok(full > 300, `track ${full}`);
  assert.deepEqual(
    reports.bars.map((b: { stage: string; w: number; h: number }) => [b.stage, Math.round((b.w / full) * 300), b.h]),
    [
      ['limit', 300, 26],
      ['warned', 300, 26],
      ['prompted', 300, 26],
      ['clicked', 200, 26],
      ['converted', 100, 26],
    ],
  );
  assert.deepEqual(reports.rows[4], ['Converted', '1', '50%', '33.3%']);
  assert.equal(reports.cohorts.length, 1);
  const [cohort] = reports.cohorts;
  assert.equal(cohort.rate, '33.3%');
  assert.ok(cohort.users.h > 100 && cohort.users.w > 20, JSON.stringify(cohort));
  assert.ok(Math.abs(cohort.converted.h / cohort.users.h - 1 / 3) < 0.01, JSON.stringify(cohort));
  const overall = page.sections[0];
  assert.deepEqual(overall.figures.conversion, '50%');
  assert.deepEqual(
    overall.bars.map((b: { w: number }) => Math.round((b.w / full) * 4)),
    [4, 3, 3, 3, 2],
  );
  t.diagnostic(`HTML report measured: ${JSON.stringify(reports.bars)}`);
}
