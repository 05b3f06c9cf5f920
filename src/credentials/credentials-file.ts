import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { SkeneError } from '../errors.js';
import type { StripeKeyType, StripeMode } from '../stripe/stripe-key-format.js';

/** What `skene login` stores: the key and what Stripe said about it when it was checked. */
export interface StoredStripeCredentials {
  apiKey: string;
  accountId: string | null;
  accountName: string | null;
  mode: StripeMode;
  keyType: StripeKeyType;
  /** ISO-8601 time of the successful validation. */
  savedAt: string;
}

interface CredentialsDocument {
  version: 1;
  stripe: StoredStripeCredentials;
}

/** `$XDG_CONFIG_HOME/skene/credentials.json`, else `~/.config/skene/credentials.json` (a relative XDG_CONFIG_HOME is ignored, as the spec says). */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const configHome = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || homedir(), '.config');
  return join(configHome, 'skene', 'credentials.json');
}

function isStoredCredentials(value: unknown): value is StoredStripeCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.apiKey === 'string' &&
    v.apiKey.length > 0 &&
    (v.mode === 'test' || v.mode === 'live') &&
    (v.keyType === 'secret' || v.keyType === 'restricted')
  );
}

/** The stored key, or undefined when none is stored. A damaged file is an error that says how to recover. */
export async function readStoredCredentials(
  env: NodeJS.ProcessEnv,
): Promise<{ path: string; credentials: StoredStripeCredentials } | undefined> {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkeneError(`Cannot read the stored Stripe key at ${path}: ${(error as Error).message}`, {
      hint: 'Check the file permissions, or run `skene logout` and `skene login` again.',
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  const stripe = (document as Partial<CredentialsDocument> | undefined)?.stripe;
  if (!isStoredCredentials(stripe)) {
    throw new SkeneError(`The credentials file ${path} is damaged.`, {
      hint: 'Run `skene logout` to remove it, then `skene login`.',
    });
  }
  return {
    path,
    credentials: {
      apiKey: stripe.apiKey,
      accountId: typeof stripe.accountId === 'string' ? stripe.accountId : null,
      accountName: typeof stripe.accountName === 'string' ? stripe.accountName : null,
      mode: stripe.mode,
      keyType: stripe.keyType,
      savedAt: typeof stripe.savedAt === 'string' ? stripe.savedAt : '',
    },
  };
}

/**
 * Stores the key in a 0600 file inside a 0700 folder, atomically (a temp file renamed over the old
 * one), so a crash never leaves half a file and no other user can read the key at any moment.
 */
export async function writeStoredCredentials(
  env: NodeJS.ProcessEnv,
  credentials: StoredStripeCredentials,
): Promise<string> {
  const path = credentialsPath(env);
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder's mode alone; the folder is skene's own, so tighten it.
  await chmod(folder, 0o700);
  const document: CredentialsDocument = { version: 1, stripe: credentials };
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** Removes the stored key; false when there was none. */
export async function deleteStoredCredentials(env: NodeJS.ProcessEnv): Promise<{ path: string; removed: boolean }> {
  const path = credentialsPath(env);
  try {
    await rm(path);
    return { path, removed: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, removed: false };
    throw new SkeneError(`Cannot remove ${path}: ${(error as Error).message}`, { cause: error });
  }
}
