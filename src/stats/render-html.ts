import { renderTemplate } from '../generate/render-template.js';
import { describePeriod, formatDuration, formatInstant, formatRate } from './format.js';
import type { Funnel, StatsDocument, StatsReport } from './types.js';

/** The report's template: a whole HTML page with its CSS inline; the charts are inline SVG built here. */
export const HTML_TEMPLATE = 'stats/report.html';

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const FUNNEL = { width: 800, row: 46, label: 170, bar: 400 };

/** Horizontal bars, one per stage, each as long as its share of the users who hit the limit. */
function funnelChart(funnel: Funnel, name: string): string {
  const top = funnel.stages[0]?.users ?? 0;
  const height = funnel.stages.length * FUNNEL.row + 8;
  const rows = funnel.stages.map((stage, index) => {
    const y = index * FUNNEL.row + 4;
    const width = top === 0 ? 0 : Math.max(stage.users > 0 ? 2 : 0, (stage.users / top) * FUNNEL.bar);
    const step = stage.ofPrevious === null ? '' : `${formatRate(stage.ofPrevious)} of the stage above`;
    return [
      `<g class="stage" data-stage="${stage.id}">`,
      `<text class="stage-label" x="0" y="${y + 24}">${escapeHtml(stage.label)}</text>`,
      `<rect class="track" x="${FUNNEL.label}" y="${y + 6}" width="${FUNNEL.bar}" height="26" rx="4"/>`,
      `<rect class="bar bar-${stage.id}" data-stage="${stage.id}" data-users="${stage.users}" x="${FUNNEL.label}" y="${y + 6}" width="${width.toFixed(2)}" height="26" rx="4"/>`,
      `<text class="stage-value" x="${FUNNEL.label + FUNNEL.bar + 12}" y="${y + 18}">${stage.users} · ${formatRate(stage.ofLimit)}</text>`,
      `<text class="stage-step" x="${FUNNEL.label + FUNNEL.bar + 12}" y="${y + 34}">${escapeHtml(step)}</text>`,
      '</g>',
    ].join('');
  });
  return `<svg class="funnel-chart" data-funnel="${escapeHtml(name)}" viewBox="0 0 ${FUNNEL.width} ${height}" width="${FUNNEL.width}" height="${height}" role="img" aria-label="Funnel of ${escapeHtml(name)}">${rows.join('')}</svg>`;
}

const COHORT = { column: 64, plot: 160, top: 28, bottom: 40, left: 8 };

/** A column per week: its users (light) and, inside, those who converted (dark), the rate above. */
function cohortChart(funnel: Funnel, name: string): string {
  const largest = Math.max(1, ...funnel.cohorts.map((c) => c.users));
  const width = Math.max(320, COHORT.left * 2 + funnel.cohorts.length * COHORT.column);
  const height = COHORT.top + COHORT.plot + COHORT.bottom;
  const base = COHORT.top + COHORT.plot;
  const columns = funnel.cohorts.map((cohort, index) => {
    const x = COHORT.left + index * COHORT.column + 10;
    const w = COHORT.column - 20;
    const usersHeight = (cohort.users / largest) * COHORT.plot;
    const convertedHeight = (cohort.converted / largest) * COHORT.plot;
    return [
      `<g class="cohort" data-week="${cohort.week}">`,
      `<rect class="cohort-users" data-users="${cohort.users}" x="${x}" y="${(base - usersHeight).toFixed(2)}" width="${w}" height="${usersHeight.toFixed(2)}" rx="3"/>`,
      `<rect class="cohort-converted" data-converted="${cohort.converted}" x="${x}" y="${(base - convertedHeight).toFixed(2)}" width="${w}" height="${convertedHeight.toFixed(2)}" rx="3"/>`,
      `<text class="cohort-rate" x="${x + w / 2}" y="${(base - usersHeight - 8).toFixed(2)}">${formatRate(cohort.rate)}</text>`,
      `<text class="cohort-week" x="${x + w / 2}" y="${base + 18}">${cohort.week.slice(5)}</text>`,
      `<text class="cohort-count" x="${x + w / 2}" y="${base + 34}">${cohort.converted}/${cohort.users}</text>`,
      '</g>',
    ].join('');
  });
  const axis = `<line class="axis" x1="0" y1="${base}" x2="${width}" y2="${base}"/>`;
  return `<svg class="cohort-chart" data-funnel="${escapeHtml(name)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Weekly cohorts of ${escapeHtml(name)}">${axis}${columns.join('')}</svg>`;
}

function figure(label: string, value: string, id: string): string {
  return `<div class="figure" data-figure="${id}"><div class="figure-value">${escapeHtml(value)}</div><div class="figure-label">${escapeHtml(label)}</div></div>`;
}

function funnelTable(funnel: Funnel): string {
  const rows = funnel.stages
    .map(
      (stage) =>
        `<tr data-stage="${stage.id}"><th scope="row">${escapeHtml(stage.label)}</th><td>${stage.users}</td><td>${stage.id === 'limit' ? '' : formatRate(stage.ofPrevious)}</td><td>${formatRate(stage.ofLimit)}</td></tr>`,
    )
    .join('');
  return `<table class="funnel-table"><thead><tr><th>Stage</th><th>Users</th><th>Of the stage above</th><th>Of those who hit the limit</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function section(funnel: Funnel, title: string, name: string): string {
  const hit = funnel.stages[0]?.users ?? 0;
  const figures = [
    figure('hit the limit', String(hit), 'limit'),
    figure('converted', formatRate(funnel.conversionRate), 'conversion'),
    figure('median time from limit to conversion', formatDuration(funnel.medianSecondsToConvert), 'median'),
  ].join('');
  const cohorts =
    funnel.cohorts.length === 0
      ? ''
      : `<h3>Weekly cohorts <span class="muted">by the week of the first limit hit</span></h3>${cohortChart(funnel, name)}`;
  const empty = hit === 0 ? '<p class="muted">Nobody hit the limit in this period.</p>' : '';
  return `<section class="step" data-step="${escapeHtml(name)}"><h2>${escapeHtml(title)}</h2><div class="figures">${figures}</div>${empty}${funnelChart(funnel, name)}${funnelTable(funnel)}${cohorts}</section>`;
}

/** One self-contained page (no script, no network): figures, the funnel and the cohort chart per step. */
export function renderStatsHtml(document: StatsDocument, report: StatsReport, template: string): string {
  const sections = document.steps.map((funnel) => section(funnel, `Step ${funnel.stepId}`, funnel.stepId ?? ''));
  // Several steps: all of them together first, the summary a founder reads.
  if (document.steps.length > 1) sections.unshift(section(document.overall, 'All steps (each user once)', '*'));
  if (sections.length === 0) sections.push('<p class="muted">No steps have events yet: nobody has hit a limit.</p>');
  return renderTemplate(
    template,
    {
      period: escapeHtml(describePeriod(report.since, report.from)),
      database: escapeHtml(`${document.database.url} (${document.database.source})`),
      generated: escapeHtml(formatInstant(report.to)),
      sections: sections.join('\n'),
    },
    HTML_TEMPLATE,
  );
}
