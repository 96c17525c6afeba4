import { ValidationError } from '@rustok/core';
import type { z } from 'zod';
import { type ConnectorConfig, type ConnectorConfigInput, ConnectorConfigSchema } from './schema';

/** Environment variables the resolver reads. */
export type ConnectorEnv = Readonly<Record<string, string | undefined>>;

const MODES = ['embedded', 'remote'] as const;

/**
 * Resolves a connector config: the mode comes from `input.mode`, else `RUSTOK_IGGY_MODE`, else
 * `embedded`. Only once remote is chosen do `IGGY_ADDRESS` (comma-separated), `IGGY_USERNAME`,
 * `IGGY_PASSWORD` and `IGGY_TOKEN` fill remote values the input leaves out; they never switch
 * the mode. Throws `VALIDATION` (never echoing values) when the result is invalid.
 */
export function resolveConnectorConfig(
  input: ConnectorConfigInput = {},
  env: ConnectorEnv = process.env,
): ConnectorConfig {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('connector config must be an object', { details: { field: 'config' } });
  }
  const mode = input.mode ?? modeFromEnv(env);
  const merged: ConnectorConfigInput = { ...input, mode };
  if (mode === 'remote') {
    const remote = { ...(input.remote ?? {}) };
    const address = nonBlank(env.IGGY_ADDRESS);
    if (remote.addresses === undefined && address !== undefined) {
      remote.addresses = address
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a.length > 0);
    }
    remote.username ??= nonBlank(env.IGGY_USERNAME);
    // Secrets are taken verbatim (a password may start or end with a space).
    remote.password ??= nonBlank(env.IGGY_PASSWORD, false);
    remote.token ??= nonBlank(env.IGGY_TOKEN, false);
    merged.remote = dropUndefined(remote);
  }
  const parsed = ConnectorConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ValidationError(`invalid connector config: ${describeIssues(parsed.error.issues)}`, {
      details: {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    });
  }
  return parsed.data;
}

function modeFromEnv(env: ConnectorEnv): 'embedded' | 'remote' | undefined {
  const raw = nonBlank(env.RUSTOK_IGGY_MODE)?.toLowerCase();
  if (raw === undefined) return undefined;
  if ((MODES as readonly string[]).includes(raw)) return raw as 'embedded' | 'remote';
  throw new ValidationError(`RUSTOK_IGGY_MODE must be one of ${MODES.join(', ')}`, {
    details: { field: 'RUSTOK_IGGY_MODE' },
  });
}

function nonBlank(value: string | undefined, trim = true): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return trim ? value.trim() : value;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Formats issues as `path: message`; issue messages never contain input values. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
