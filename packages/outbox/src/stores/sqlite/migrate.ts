import { quoteIdent } from '../../sql/identifier';
import type { MigrationResult } from '../types';
import type { SqliteDatabase } from './types';

/** One versioned schema step: statements run together in one transaction. */
export interface SqliteMigration {
  version: number;
  statements: readonly string[];
}

/**
 * Applies the migrations of `component` newer than the version recorded in `migrationsTable`,
 * in one immediate transaction (so concurrent processes serialise); idempotent.
 */
export function migrateSqlite(
  db: SqliteDatabase,
  migrationsTable: string,
  component: string,
  migrations: readonly SqliteMigration[],
): MigrationResult {
  const m = quoteIdent(migrationsTable);
  return db
    .transaction((): MigrationResult => {
      db.exec(`CREATE TABLE IF NOT EXISTS ${m} (
        component TEXT NOT NULL,
        version INTEGER NOT NULL,
        applied_at INTEGER NOT NULL,
        PRIMARY KEY (component, version)
      )`);
      const row = db.prepare(`SELECT MAX(version) AS v FROM ${m} WHERE component = ?`).get(component) as {
        v: number | null;
      };
      let version = row.v ?? 0;
      const applied: number[] = [];
      const record = db.prepare(`INSERT INTO ${m} (component, version, applied_at) VALUES (?, ?, ?)`);
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= version) continue;
        for (const statement of migration.statements) db.exec(statement);
        record.run(component, migration.version, Date.now());
        applied.push(migration.version);
        version = migration.version;
      }
      return { applied, version };
    })
    .immediate();
}
