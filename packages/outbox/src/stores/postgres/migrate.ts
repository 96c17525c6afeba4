import type { MigrationResult } from '../types';
import type { PgNames } from './names';
import { withPgTransaction } from './tx';
import type { PgPool } from './types';

/** One versioned schema step: statements run together in one transaction. */
export interface PgMigration {
  version: number;
  statements: readonly string[];
}

/**
 * Applies the migrations of `component` newer than the recorded version, in one transaction
 * holding an advisory lock (so concurrent `migrate()` calls serialise); idempotent. Creates the
 * schema when one is configured.
 */
export async function migratePostgres(
  pool: PgPool,
  names: PgNames,
  component: string,
  migrations: readonly PgMigration[],
): Promise<MigrationResult> {
  return withPgTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rustok-migrations:${names.migrationsKey}`]);
    if (names.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${names.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${names.migrations} (
      component text NOT NULL,
      version integer NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version)
    )`);
    const res = await client.query(`SELECT max(version) AS v FROM ${names.migrations} WHERE component = $1`, [
      component,
    ]);
    let version = (res.rows[0] as { v: number | null } | undefined)?.v ?? 0;
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= version) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query(`INSERT INTO ${names.migrations} (component, version) VALUES ($1, $2)`, [
        component,
        migration.version,
      ]);
      applied.push(migration.version);
      version = migration.version;
    }
    return { applied, version };
  });
}
