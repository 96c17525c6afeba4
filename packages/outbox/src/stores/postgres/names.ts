import { createHash } from 'node:crypto';
import { assertIdentifier, quoteIdent } from '../../sql/identifier';

/** Every SQL name a PostgreSQL outbox (or inbox) uses, validated and ready to splice into SQL. */
export interface PgNames {
  schema: string | undefined;
  /** Bare table name. */
  table: string;
  /** `"schema"."table"` or `"table"`. */
  qualified: string;
  /** The worker registry table, qualified. */
  workers: string;
  /** The migrations table, qualified. */
  migrations: string;
  /** Bare migrations table name (for the advisory lock key). */
  migrationsKey: string;
  /** The NOTIFY channel of this outbox. */
  channel: string;
  /** Qualified name of the trigger function. */
  notifyFunction: string;
  /** Qualifies a bare name with the schema. */
  q(name: string): string;
}

/** Validates schema and table names and derives the others (`<table>_workers`, indexes, channel). */
export function pgNames(schema: string | undefined, table: string, migrations: string): PgNames {
  const s = schema === undefined ? undefined : assertIdentifier(schema, 'schema', 63);
  const t = assertIdentifier(table, 'table');
  const m = assertIdentifier(migrations, 'migrationsTable', 63);
  const q = (name: string) => (s === undefined ? quoteIdent(name) : `${quoteIdent(s)}.${quoteIdent(name)}`);
  const readable = s === undefined ? t : `${s}.${t}`;
  const channel = readable.length <= 63 ? readable : `rustok_outbox_${createHash('sha256').update(readable).digest('hex').slice(0, 24)}`;
  return {
    schema: s,
    table: t,
    qualified: q(t),
    workers: q(`${t}_workers`),
    migrations: q(m),
    migrationsKey: `${s ?? ''}.${m}`,
    channel,
    notifyFunction: q(`${t}_notify`),
    q,
  };
}
