import type { AnalysisResult } from '../analyze/types.js';
import { serializeCompiledLoop } from '../config/compile-loop.js';
import type { CompiledLoop } from '../config/types.js';
import { renderTemplate, type TemplateReader } from './render-template.js';
import {
  DEFAULT_DATABASE_URL,
  generatedMarker,
  IDENTIFY_BEGIN,
  IDENTIFY_END,
  INTEGRATION_FILE,
  LOOP_FILE,
  MIGRATION_FILE,
  MIGRATION_REVISION,
  STATIC_RUNTIME_MODULES,
  WEBHOOK_PATH,
} from './runtime-contract.js';
import type { RuntimeLocation } from './runtime-location.js';

export interface GeneratedFile {
  /** Relative to the project folder, POSIX style. */
  path: string;
  content: string;
  /** The user's to edit: created when missing, never overwritten. */
  userEditable: boolean;
}

export interface RuntimeBuildInput {
  analysis: Pick<AnalysisResult, 'auth' | 'database' | 'stripe'> & Partial<Pick<AnalysisResult, 'userModel'>>;
  compiled: CompiledLoop;
  version: string;
  location: RuntimeLocation;
  /** The current `_integration.py`, so a user's edited `identify(request)` survives regeneration. */
  existingIntegration?: string;
  /** Gives skene's templates (the workflow passes the reader of its `templates/` folder). */
  templates: TemplateReader;
  /** The Alembic revision skene's migration follows (found by the workflow), when the app uses Alembic. */
  alembicDownRevision?: string | null;
}

const pythonString = (value: string): string => JSON.stringify(value);
const pythonOptionalString = (value: string | undefined): string =>
  value === undefined ? 'None' : pythonString(value);

function renderIntegration(input: RuntimeBuildInput): string {
  const { auth, database, stripe } = input.analysis;
  const primary = auth.primary;
  const authBody = primary
    ? primary.returns === 'request-state'
      ? [
          // The app's dependency puts the user on the request; FastAPI runs it once for the route and the gate.
          '    from fastapi import Depends, Request',
          '',
          `    from ${primary.module} import ${primary.name} as APP_DEPENDENCY`,
          '',
          '    def AUTH_DEPENDENCY(request: Request, _=Depends(APP_DEPENDENCY)):',
          '        return getattr(request.state, "user", None)',
          '',
          '    return AUTH_DEPENDENCY',
        ].join('\n')
      : `    from ${primary.module} import ${primary.name} as AUTH_DEPENDENCY\n\n    return AUTH_DEPENDENCY`
    : [
        '    # No auth dependency was found: gates identify the user with identify(request) below.',
        '    AUTH_DEPENDENCY = None',
        '    return AUTH_DEPENDENCY',
      ].join('\n');
  const hasWebhook = stripe.webhooks.length > 0;
  const engine = database.kind !== 'none' ? database.engine : undefined;
  const engineBody = !engine
    ? '    return None'
    : engine.access?.kind === 'attribute'
      ? `    from ${engine.module} import ${engine.variable} as ENGINE_OWNER\n\n    return ENGINE_OWNER.${engine.access.attribute}`
      : engine.access?.kind === 'call'
        ? `    from ${engine.module} import ${engine.variable} as ENGINE_GETTER\n\n    return ENGINE_GETTER()`
        : `    from ${engine.module} import ${engine.variable} as engine\n\n    return engine`;
  // The model is only read when a Stripe customer must be found (docs/CUSTOMER-LINKS.md).
  const userModel = database.kind !== 'none' ? input.analysis.userModel : undefined;
  const userModelBody = userModel
    ? `    from ${userModel.module} import ${userModel.class} as USER_MODEL\n\n    return USER_MODEL`
    : '    return None';
  const rendered = renderTemplate(
    input.templates(`python/runtime/${INTEGRATION_FILE}`),
    {
      version: input.version,
      auth_body: authBody,
      webhook_note: hasWebhook
        ? 'its own Stripe webhook endpoint, which calls handle_stripe_event(event)'
        : `no Stripe webhook endpoint: install(app) mounts POST ${WEBHOOK_PATH}`,
      mount_webhook: hasWebhook ? 'False' : 'True',
      default_database_url: DEFAULT_DATABASE_URL,
      engine_body: engineBody,
      user_model_body: userModelBody,
      user_id_field: pythonString(userModel?.idField ?? 'id'),
      user_email_field: pythonOptionalString(userModel?.emailField),
      user_customer_field: pythonOptionalString(userModel?.customerIdField),
    },
    INTEGRATION_FILE,
  );
  return keepUserIdentify(rendered, input.existingIntegration);
}

/** The `identify(request)` block (markers included), or undefined when the markers are missing. */
export function extractIdentifyBlock(source: string): string | undefined {
  const begin = source.indexOf(`${IDENTIFY_BEGIN} `);
  const beginAt = begin >= 0 ? begin : source.indexOf(`${IDENTIFY_BEGIN}\n`);
  if (beginAt < 0) return undefined;
  const end = source.indexOf(IDENTIFY_END, beginAt);
  if (end < 0) return undefined;
  return source.slice(beginAt, end + IDENTIFY_END.length);
}

function keepUserIdentify(rendered: string, existing: string | undefined): string {
  if (existing === undefined) return rendered;
  const userBlock = extractIdentifyBlock(existing);
  const freshBlock = extractIdentifyBlock(rendered);
  if (userBlock === undefined || freshBlock === undefined) return rendered;
  return rendered.replace(freshBlock, () => userBlock);
}

/** The warning email's template beside the prompt's (`action.warnAt`): `<template>_warning`. */
export function warningTemplateName(template: string): string {
  return `${template}_warning`;
}

/** The runtime module that defines skene's tables; the Alembic migration loads it by its path. */
export const SCHEMA_MODULE = '_schema.py';

/** `from` → `to` as a relative POSIX path (both relative to the project folder). */
function relativePosix(from: string, to: string): string {
  const fromParts = from.split('/').filter((part) => part !== '' && part !== '.');
  const toParts = to.split('/').filter((part) => part !== '' && part !== '.');
  let shared = 0;
  while (shared < fromParts.length && shared < toParts.length && fromParts[shared] === toParts[shared]) shared += 1;
  return [...fromParts.slice(shared).map(() => '..'), ...toParts.slice(shared)].join('/');
}

function renderMigration(input: RuntimeBuildInput, versionsDir: string, schemaPath: string): string {
  const down = input.alembicDownRevision ?? null;
  const fromMigration = relativePosix(versionsDir, schemaPath);
  return renderTemplate(
    input.templates(`python/alembic/${MIGRATION_FILE}`),
    {
      version: input.version,
      revision: pythonString(MIGRATION_REVISION),
      down_revision: down === null ? 'None' : pythonString(down),
      // A root revision opens its own branch, so `alembic upgrade heads` applies it beside the app's.
      branch_labels: down === null ? '("skene",)' : 'None',
      schema_file: schemaPath,
      schema_path: fromMigration.split('/').map(pythonString).join(', '),
    },
    MIGRATION_FILE,
  );
}

/** Every file of the generated runtime, from the analysis and the compiled loop. Pure apart from reading templates. */
export function buildRuntimeFiles(input: RuntimeBuildInput): GeneratedFile[] {
  const dir = input.location.dir;
  const at = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
  const files: GeneratedFile[] = [];
  for (const name of STATIC_RUNTIME_MODULES) {
    const template = input.templates(`python/runtime/${name}`);
    files.push({
      path: at(name),
      content: renderTemplate(template, { version: input.version }, name),
      userEditable: false,
    });
  }
  files.push({ path: at(INTEGRATION_FILE), content: renderIntegration(input), userEditable: false });
  files.push({ path: at(LOOP_FILE), content: serializeCompiledLoop(input.compiled), userEditable: false });

  const emailTemplates = new Set(
    input.compiled.steps.flatMap((step) => (step.upgrade_prompt ? [step.upgrade_prompt.template] : [])),
  );
  const defaultEmail = input.templates('python/runtime/emails/upgrade_prompt.html');
  for (const template of [...emailTemplates].sort()) {
    files.push({ path: at(`emails/${template}.html`), content: defaultEmail, userEditable: true });
  }
  const warningTemplates = new Set(
    input.compiled.steps.flatMap((step) =>
      step.upgrade_prompt && step.warn_at !== undefined ? [warningTemplateName(step.upgrade_prompt.template)] : [],
    ),
  );
  const defaultWarning = input.templates('python/runtime/emails/upgrade_prompt_warning.html');
  for (const template of [...warningTemplates].sort()) {
    files.push({ path: at(`emails/${template}.html`), content: defaultWarning, userEditable: true });
  }

  const alembic = input.analysis.database.alembic;
  if (alembic) {
    const versionsDir = alembic.versionsDir.replace(/\/+$/, '');
    files.push({
      path: `${versionsDir}/${MIGRATION_FILE}`,
      content: renderMigration(input, versionsDir, at(SCHEMA_MODULE)),
      userEditable: false,
    });
  }
  for (const file of files) {
    if (file.path.endsWith('.py') && !file.content.startsWith(generatedMarker(input.version))) {
      throw new Error(`${file.path} does not start with the generated-by marker`);
    }
  }
  return files;
}
