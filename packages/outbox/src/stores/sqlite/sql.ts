import { quoteIdent } from '../../sql/identifier';

/** Every SQL name a SQLite outbox uses, derived from the validated table names. */
export interface SqliteNames {
  table: string;
  workers: string;
  migrations: string;
}

/** Names derived from the table name: `<table>_workers` and the indexes. */
export function sqliteNames(table: string, migrations: string): SqliteNames {
  return { table, workers: `${table}_workers`, migrations };
}

/** Schema of version 1: the outbox table, its indexes and the worker registry. */
export function sqliteSchemaV1(n: SqliteNames): string[] {
  const t = quoteIdent(n.table);
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
      id TEXT PRIMARY KEY NOT NULL,
      seq INTEGER NOT NULL,
      tenant_id TEXT NOT NULL,
      event_type TEXT NOT NULL,
      schema_version INTEGER NOT NULL,
      envelope TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dispatched', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      claimed_by TEXT,
      claimed_at INTEGER,
      created_at INTEGER NOT NULL,
      dispatched_at INTEGER
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(`${n.table}_seq_uq`)} ON ${t} (seq)`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${n.table}_claim_idx`)} ON ${t} (tenant_id, seq) WHERE status <> 'dispatched'`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${n.table}_dispatched_idx`)} ON ${t} (dispatched_at) WHERE status = 'dispatched'`,
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(n.workers)} (
      worker_id TEXT PRIMARY KEY NOT NULL,
      instance_id TEXT NOT NULL,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL
    )`,
  ];
}

/** The SQL texts of every statement the SQLite store prepares. Times are epoch milliseconds. */
export function sqliteStatements(n: SqliteNames) {
  const t = quoteIdent(n.table);
  const w = quoteIdent(n.workers);
  const claimable = claimableSql('');
  const columns = `id, seq, tenant_id, event_type, schema_version, envelope, status, attempts, next_attempt_at, created_at`;
  const values = `@id, COALESCE((SELECT MAX(seq) FROM ${t}), 0) + 1, @tenantId, @type, @schemaVersion, @json, 'pending', 0, @now, @now`;
  return {
    insert: `INSERT INTO ${t} (${columns}) VALUES (${values})`,
    insertOnce: `INSERT INTO ${t} (${columns}) VALUES (${values}) ON CONFLICT (id) DO NOTHING`,
    envelopeById: `SELECT envelope FROM ${t} WHERE id = ?`,
    // A loose index scan over the tenants with unpublished rows, then each one's earliest row.
    heads: `WITH RECURSIVE tenants(tenant_id) AS (
        SELECT MIN(tenant_id) FROM ${t} WHERE status <> 'dispatched'
        UNION ALL
        SELECT (SELECT MIN(tenant_id) FROM ${t} WHERE status <> 'dispatched' AND tenant_id > tenants.tenant_id)
        FROM tenants WHERE tenants.tenant_id IS NOT NULL
      )
      SELECT h.id AS id, h.tenant_id AS tenantId, h.seq AS seq
      FROM tenants JOIN ${t} h ON h.id = (
        SELECT id FROM ${t} WHERE status <> 'dispatched' AND tenant_id = tenants.tenant_id ORDER BY seq LIMIT 1)
      WHERE ${claimableSql('h.')}
      ORDER BY h.seq LIMIT @limit`,
    candidates: `SELECT id, tenant_id AS tenantId, seq, (${claimable}) AS ok FROM ${t}
      WHERE tenant_id = @tenantId AND status <> 'dispatched' AND seq > @afterSeq ORDER BY seq LIMIT @limit`,
    claimOne: `UPDATE ${t} SET claimed_by = @workerId, claimed_at = @now WHERE id = @id AND ${claimable}
      RETURNING id, seq, tenant_id AS tenantId, attempts, envelope, created_at AS createdAt`,
    release: `UPDATE ${t} SET claimed_by = NULL, claimed_at = NULL WHERE id = @id AND claimed_by = @workerId`,
    releaseAll: `UPDATE ${t} SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = @workerId AND status <> 'dispatched'`,
    dispatch: `UPDATE ${t} SET status = 'dispatched', dispatched_at = @now, claimed_by = NULL, claimed_at = NULL
      WHERE id = @id AND claimed_by = @workerId`,
    deleteClaimed: `DELETE FROM ${t} WHERE id = @id AND claimed_by = @workerId`,
    fail: `UPDATE ${t} SET attempts = @attempts, status = @status, next_attempt_at = @nextAttemptAt,
      last_error = @error, claimed_by = NULL, claimed_at = NULL WHERE id = @id AND claimed_by = @workerId`,
    renew: `UPDATE ${t} SET claimed_at = @now WHERE id = @id AND claimed_by = @workerId`,
    purge: `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE status = 'dispatched' AND dispatched_at < @before LIMIT @limit)`,
    stats: `SELECT
        COALESCE(SUM(status = 'pending'), 0) AS pending,
        COALESCE(SUM(status = 'failed'), 0) AS failed,
        COALESCE(SUM(status = 'pending' AND claimed_by IS NOT NULL AND claimed_at > @expired), 0) AS claimed,
        MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest
      FROM ${t} WHERE status <> 'dispatched'`,
    countDispatched: `SELECT COUNT(*) AS n FROM ${t} WHERE status = 'dispatched'`,
    listFailed: `SELECT id, seq, tenant_id AS tenantId, event_type AS eventType, attempts, last_error AS lastError,
        created_at AS createdAt, envelope FROM ${t}
      WHERE status <> 'dispatched' AND status = 'failed' AND (@tenantId IS NULL OR tenant_id = @tenantId)
      ORDER BY seq LIMIT @limit`,
    requeue: `UPDATE ${t} SET status = 'pending', attempts = 0, next_attempt_at = @now, claimed_by = NULL, claimed_at = NULL
      WHERE id = @id AND status = 'failed'`,
    workerGet: `SELECT worker_id AS workerId, instance_id AS instanceId, host, pid, heartbeat_at AS heartbeatAt
      FROM ${w} WHERE worker_id = ?`,
    workerUpsert: `INSERT INTO ${w} (worker_id, instance_id, host, pid, started_at, heartbeat_at)
      VALUES (@workerId, @instanceId, @host, @pid, @now, @now)
      ON CONFLICT (worker_id) DO UPDATE SET instance_id = excluded.instance_id, host = excluded.host,
        pid = excluded.pid, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
    workerBeat: `UPDATE ${w} SET heartbeat_at = @now WHERE worker_id = @workerId AND instance_id = @instanceId`,
    workerDelete: `DELETE FROM ${w} WHERE worker_id = @workerId AND instance_id = @instanceId`,
  };
}

/** A row may be claimed: pending, due, and not leased (or its lease expired). */
function claimableSql(p: string): string {
  return `${p}status = 'pending' AND ${p}next_attempt_at <= @now AND (${p}claimed_by IS NULL OR ${p}claimed_at <= @expired)`;
}

/** The statement texts, by name. */
export type SqliteStatementTexts = ReturnType<typeof sqliteStatements>;
