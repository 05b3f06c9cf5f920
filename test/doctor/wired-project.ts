import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { readLoopConfig } from '../../src/config/read-config.js';
import type { Check, DoctorReport } from '../../src/doctor/types.js';
import { applyPlan } from '../../src/io/apply-plan.js';
import { loadDoctorDeps, runDoctor } from '../../src/workflows/doctor.js';
import { buildInitPlan, INIT_DEFAULTS, type InitAnswers } from '../../src/workflows/init.js';
import { excludeGeneratedRuntime } from '../../src/workflows/plan-loop-changes.js';
import { copyFixture } from '../helpers/fixtures.js';

export function answersFor(endpoint: string, methods: InitAnswers['methods'] = ['POST']): InitAnswers {
  return {
    endpoint,
    methods,
    freeLimit: INIT_DEFAULTS.limit,
    period: INIT_DEFAULTS.period,
    message: INIT_DEFAULTS.message,
    emailTemplate: INIT_DEFAULTS.template,
  };
}

/** Runs init's plan on `root` (a fresh set-up, or again after the config was edited: `skene generate`'s effect). */
export async function applyInit(root: string, answers: InitAnswers): Promise<void> {
  const analysis = excludeGeneratedRuntime(await analyzeProject(root));
  let existing: { source?: string; loop?: Awaited<ReturnType<typeof readLoopConfig>>['loop'] } = {};
  try {
    const source = readFileSync(join(root, 'skene.config.ts'), 'utf8');
    existing = { source, loop: (await readLoopConfig('skene.config.ts', source)).loop };
  } catch {
    existing = {};
  }
  await applyPlan(root, await buildInitPlan(root, analysis, answers, existing));
}

const wired = new Map<string, Promise<string>>();

/**
 * A temp copy of fixture `name` set up by init's plan for `answers`. Init runs once per fixture and
 * answers; every call returns a fresh copy of that result, so a test may break it at will.
 */
export async function copyWiredFixture(name: string, answers: InitAnswers): Promise<string> {
  const key = `${name}\n${JSON.stringify(answers)}`;
  let template = wired.get(key);
  if (!template) {
    template = (async () => {
      const root = await copyFixture(name);
      await applyInit(root, answers);
      return root;
    })();
    wired.set(key, template);
  }
  const source = await template;
  const target = join(mkdtempSync(join(tmpdir(), `skene-doctor-${name}-`)), basename(source));
  cpSync(source, target, { recursive: true, verbatimSymlinks: true });
  return target;
}

/** The settings a fully set-up app has (values are placeholders doctor must never print). */
export const completeEnv: NodeJS.ProcessEnv = {
  PATH: '',
  STRIPE_WEBHOOK_SECRET: 'whsec_doctorTestSecretValue',
  RESEND_API_KEY: 're_doctorTestResendValue',
  SKENE_EMAIL_FROM: 'billing@example.com',
  SKENE_UPGRADE_URL: 'https://example.com/pricing',
};

export async function runOfflineDoctor(root: string, env: NodeJS.ProcessEnv = completeEnv): Promise<DoctorReport> {
  return runDoctor(root, { env, offline: true }, await loadDoctorDeps({ offline: true }));
}

export function editFile(root: string, file: string, edit: (text: string) => string): void {
  const path = join(root, ...file.split('/'));
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}

/** 1-based line of the first line of `file` containing `needle`. */
export function lineIn(root: string, file: string, needle: string): number {
  const index = readFileSync(join(root, ...file.split('/')), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

export const problems = (report: DoctorReport): Check[] => report.checks.filter((check) => check.status !== 'pass');
