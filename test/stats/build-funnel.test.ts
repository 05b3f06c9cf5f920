import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFunnel, buildStatsReport, median, weekStart } from '../../src/stats/build-funnel.js';
import { formatDuration, formatRate } from '../../src/stats/format.js';
import type { EventRow } from '../../src/stats/types.js';
import { createPalette } from '../../src/ui/palette.js';
import { blockBar, cohortBar } from '../../src/ui/render-stats.js';

const DAY = 86_400;
// Monday 2026-11-02 00:00 UTC.
const MONDAY = Date.UTC(2026, 10, 2) / 1000;

const row = (kind: EventRow['kind'], stepId: string, userKey: string, createdAt: number): EventRow => ({
  kind,
  stepId,
  userKey,
  createdAt,
});

describe('the funnel of skene events', () => {
  it('counts each stage among the users who hit the limit, the share of the stage above who reached it', () => {
    const rows = [
      row('limit_warning', 's', 'a', MONDAY),
      row('limit_reached', 's', 'a', MONDAY + 10),
      row('limit_reached', 's', 'a', MONDAY + 20), // a second window: the first hit counts
      row('prompt_sent', 's', 'a', MONDAY + 11),
      row('upgrade_clicked', 's', 'a', MONDAY + 50),
      row('converted', 's', 'a', MONDAY + 310),
      row('limit_reached', 's', 'b', MONDAY + 100),
      row('upgrade_clicked', 's', 'b', MONDAY + 120), // clicked the 402's link without an email
      row('limit_reached', 's', 'c', MONDAY + 200),
      row('converted', 's', 'c', MONDAY + 300), // paid without clicking
      row('limit_warning', 's', 'd', MONDAY + 5), // warned, never blocked: not in the cohort
      row('upgrade_clicked', 's', 'e', MONDAY + 5), // a click without a limit hit: not in the cohort
    ];
    const funnel = buildFunnel(rows, 's');
    assert.deepEqual(
      funnel.stages.map((s) => [s.id, s.users, s.ofPrevious, s.ofLimit]),
      [
        ['limit', 3, null, 1],
        ['warned', 1, 1 / 3, 1 / 3],
        ['prompted', 1, 1, 1 / 3],
        ['clicked', 2, 1, 2 / 3],
        ['converted', 2, 1 / 2, 2 / 3],
      ],
    );
    assert.equal(funnel.conversionRate, 2 / 3);
    assert.equal(funnel.warnedUsers, 2);
    // a: 310 - 10; c: 300 - 200.
    assert.equal(funnel.medianSecondsToConvert, (300 + 100) / 2);
  });

  it('makes weekly cohorts by the week of the first limit hit, the empty weeks between included', () => {
    const rows = [
      row('limit_reached', 's', 'a', MONDAY + 6 * DAY + 86_399), // Sunday 23:59:59: still the first week
      row('limit_reached', 's', 'b', MONDAY + 1 * DAY),
      row('converted', 's', 'b', MONDAY + 15 * DAY), // converted two weeks later: counted in its own cohort
      row('limit_reached', 's', 'c', MONDAY + 21 * DAY),
      row('limit_reached', 's', 'a', MONDAY + 22 * DAY), // a again: a's cohort is the first week
    ];
    assert.deepEqual(buildFunnel(rows, 's').cohorts, [
      { week: '2026-11-02', users: 2, converted: 1, rate: 0.5 },
      { week: '2026-11-09', users: 0, converted: 0, rate: null },
      { week: '2026-11-16', users: 0, converted: 0, rate: null },
      { week: '2026-11-23', users: 1, converted: 0, rate: 0 },
    ]);
    assert.equal(weekStart(MONDAY + 7 * DAY - 1), MONDAY);
    assert.equal(weekStart(MONDAY + 7 * DAY), MONDAY + 7 * DAY);
  });

  it('reports every step and all of them with each user once, over the period', () => {
    const rows = [
      row('limit_reached', 'a', 'u1', MONDAY),
      row('limit_reached', 'b', 'u1', MONDAY + 5),
      row('converted', 'a', 'u1', MONDAY + 60),
      row('converted', 'b', 'u1', MONDAY + 60),
      row('limit_reached', 'b', 'u2', MONDAY + 7 * DAY),
    ];
    const all = buildStatsReport({ rows, from: null, to: MONDAY + 8 * DAY, since: null, stepIds: ['c'] });
    assert.deepEqual(
      all.steps.map((s) => [s.stepId, s.stages[0]!.users, s.stages[4]!.users]),
      [
        ['a', 1, 1],
        ['b', 2, 1],
        ['c', 0, 0],
      ],
    );
    assert.deepEqual([all.overall.stages[0]!.users, all.overall.stages[4]!.users], [2, 1]);
    assert.equal(all.overall.medianSecondsToConvert, 60);
    assert.equal(all.steps[2]!.conversionRate, null);
    const lastWeek = buildStatsReport({ rows, from: MONDAY + DAY, to: MONDAY + 8 * DAY, since: '7d' });
    assert.deepEqual(
      lastWeek.steps.map((s) => [s.stepId, s.stages[0]!.users]),
      [['b', 1]],
    );
    assert.equal(lastWeek.overall.conversionRate, 0);
  });

  it('takes the median of an even count as the mean of the middle two, and none of nothing', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 10]), 3.5);
    assert.equal(median([]), null);
  });
});

describe('the figures as people read them', () => {
  it('formats rates and durations', () => {
    assert.deepEqual([0, 1 / 3, 0.5, 1, null].map(formatRate), ['0%', '33.3%', '50%', '100%', '—']);
    assert.deepEqual([0.4, 59, 60, 312, 3600, 7500, 86_400, 2 * 86_400 + 4 * 3600, null].map(formatDuration), [
      '0 s',
      '59 s',
      '1 min',
      '5 min 12 s',
      '1 h',
      '2 h 5 min',
      '1 d',
      '2 d 4 h',
      '—',
    ]);
  });

  it('draws bars in Unicode blocks, eighths at the end, and cohorts readable without colour', () => {
    assert.equal(blockBar(1, 1, 4), '████');
    assert.equal(blockBar(1, 2, 4), '██');
    assert.equal(blockBar(1, 3, 4), '█▍');
    assert.equal(blockBar(0, 3, 4), '');
    const plain = createPalette(false);
    assert.equal(cohortBar(1, 4, 4, plain, 8), '██░░░░░░');
    assert.equal(cohortBar(0, 2, 4, plain, 8), '░░░░');
  });
});
