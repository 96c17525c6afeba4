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
  const ids = 'SELECT value FROM json_each(@ids)';
  const columns = `id, seq, tenant_id, event_type, schema_version, envelope, status, attempts, next_attempt_at, created_at`;
  // Positional: id, seq, tenant, type, version, json, now, now. SQLite has one writer at a time:
  // a batch's first row takes MAX(seq) + 1 in the same statement that takes the write lock
  // (`*First`, positional without seq), the following rows count on from there.
  const values = `?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?`;
  const firstValues = `?, COALESCE((SELECT MAX(seq) FROM ${t}), 0) + 1, ?, ?, ?, ?, 'pending', 0, ?, ?`;
  return {
    maxSeq: `SELECT COALESCE(MAX(seq), 0) AS m FROM ${t}`,
    insertFirst: `INSERT INTO ${t} (${columns}) VALUES (${firstValues}) RETURNING seq`,
    insert: `INSERT INTO ${t} (${columns}) VALUES (${values})`,
    insertOnceFirst: `INSERT INTO ${t} (${columns}) VALUES (${firstValues}) ON CONFLICT (id) DO NOTHING RETURNING seq`,
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
    // One statement per planning round: @requests is a JSON array of [tenantId, afterSeq]; each
    // tenant's next rows come from a correlated index range scan (a lateral join in effect); rowids
    // are read from the index itself and only used inside this transaction.
    candidates: `SELECT o.id, o.tenant_id AS tenantId, o.seq, (${claimableSql('o.')}) AS ok, o.attempts, o.envelope,
        o.created_at AS createdAt
      FROM json_each(@requests) r, ${t} o
      WHERE o.rowid IN (
        SELECT x.rowid FROM ${t} x
        WHERE x.tenant_id = json_extract(r.value, '$[0]') AND x.status <> 'dispatched'
          AND x.seq > json_extract(r.value, '$[1]')
        ORDER BY x.seq LIMIT @limit)`,
    // Batched statements take their ids as one JSON array, read with json_each.
    lease: `UPDATE ${t} SET claimed_by = @workerId, claimed_at = @now WHERE id IN (${ids}) AND ${claimable}`,
    validLeases: `SELECT id, tenant_id AS tenantId FROM ${t} WHERE id IN (${ids}) AND claimed_by = @workerId`,
    clearLeases: `UPDATE ${t} SET claimed_by = NULL, claimed_at = NULL WHERE id IN (${ids}) AND claimed_by = @workerId`,
    releaseAll: `UPDATE ${t} SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = @workerId AND status <> 'dispatched'`,
    // @tenants: the tenants whose lease was verified in the same transaction.
    dispatch: `UPDATE ${t} SET status = 'dispatched', dispatched_at = @now, claimed_by = NULL, claimed_at = NULL
      WHERE id IN (${ids}) AND status = 'pending' AND tenant_id IN (SELECT value FROM json_each(@tenants))`,
    deleteDispatched: `DELETE FROM ${t}
      WHERE id IN (${ids}) AND status = 'pending' AND tenant_id IN (SELECT value FROM json_each(@tenants))`,
    fail: `UPDATE ${t} SET attempts = @attempts, status = @status, next_attempt_at = @nextAttemptAt,
      last_error = @error, claimed_by = NULL, claimed_at = NULL
      WHERE id = @id AND status = 'pending' AND tenant_id IN (SELECT value FROM json_each(@tenants))`,
    renew: `UPDATE ${t} SET claimed_at = @now WHERE id IN (${ids}) AND claimed_by = @workerId`,
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
      WHERE id IN (${ids}) AND status = 'failed'`,
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
