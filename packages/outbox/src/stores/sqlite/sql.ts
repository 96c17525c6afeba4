import { quoteIdent } from '../../sql/identifier';

/** Every SQL name a SQLite outbox uses, derived from the validated table names. */
export interface SqliteNames {
  table: string;
  workers: string;
  /** Per tenant: the dispatched watermark (every row of the tenant up to this `seq` is dispatched). */
  tenants: string;
  /** When each watermark advance happened, for the retention purge. */
  dispatches: string;
  /** One row: `seq` never goes back to or below this value (rows up to it may have been deleted). */
  seqFloor: string;
  migrations: string;
}

/** Names derived from the table name: `<table>_workers`, `<table>_tenants`, … and the indexes. */
export function sqliteNames(table: string, migrations: string): SqliteNames {
  return {
    table,
    workers: `${table}_workers`,
    tenants: `${table}_tenants`,
    dispatches: `${table}_dispatches`,
    seqFloor: `${table}_seq_floor`,
    migrations,
  };
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

/**
 * Schema of version 2: rows are no longer rewritten when claimed or dispatched. A tenant's
 * dispatched rows are always a prefix of its rows in `seq` order (SQLite numbers rows in commit
 * order), so one row per tenant records them (a watermark) and holds the tenant's lease; a log of
 * the watermark advances drives the retention purge, and a floor keeps `seq` above every
 * watermark after rows were deleted. Rows marked `dispatched` by version 1 keep that status (and
 * are purged by their `dispatched_at`); their row leases are no longer read.
 */
export function sqliteSchemaV2(n: SqliteNames): string[] {
  const t = quoteIdent(n.table);
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(n.tenants)} (
      tenant_id TEXT PRIMARY KEY NOT NULL,
      dispatched_seq INTEGER NOT NULL DEFAULT 0,
      claimed_by TEXT,
      claimed_at INTEGER
    ) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(n.dispatches)} (
      dispatched_at INTEGER NOT NULL,
      tenant_id TEXT NOT NULL,
      up_to_seq INTEGER NOT NULL,
      PRIMARY KEY (dispatched_at, tenant_id)
    ) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(n.seqFloor)} (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL
    )`,
    `INSERT INTO ${quoteIdent(n.seqFloor)} (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${n.table}_failed_idx`)} ON ${t} (seq) WHERE status = 'failed'`,
  ];
}

/** The SQL texts of every statement the SQLite store prepares. Times are epoch milliseconds. */
export function sqliteStatements(n: SqliteNames) {
  const t = quoteIdent(n.table);
  const w = quoteIdent(n.workers);
  const tenantTable = quoteIdent(n.tenants);
  const log = quoteIdent(n.dispatches);
  const floor = quoteIdent(n.seqFloor);
  const ids = 'SELECT value FROM json_each(@ids)';
  const columns = `id, seq, tenant_id, event_type, schema_version, envelope, status, attempts, next_attempt_at, created_at`;
  // Positional: id, seq, tenant, type, version, json, now, now. SQLite has one writer at a time:
  // a batch's first row takes the next seq in the same statement that takes the write lock
  // (`*First`, positional without seq), the following rows count on from there. The next seq
  // is above every row and above the floor left by deleted rows, so it is above every watermark.
  const nextSeq = `MAX(COALESCE((SELECT MAX(seq) FROM ${t}), 0), COALESCE((SELECT seq FROM ${floor} WHERE id = 1), 0)) + 1`;
  const values = `?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?`;
  const firstValues = `?, ${nextSeq}, ?, ?, ?, ?, 'pending', 0, ?, ?`;
  // A loose index scan over the tenants with rows not marked dispatched by version 1.
  const tenantScan = `tenants(tenant_id) AS (
        SELECT MIN(tenant_id) FROM ${t} WHERE status <> 'dispatched'
        UNION ALL
        SELECT (SELECT MIN(tenant_id) FROM ${t} WHERE status <> 'dispatched' AND tenant_id > tenants.tenant_id)
        FROM tenants WHERE tenants.tenant_id IS NOT NULL
      )`;
  // @marks: a JSON array of [tenantId, seq] pairs, one per tenant.
  const markPairs = `SELECT json_extract(value, '$[0]') AS tenant_id, json_extract(value, '$[1]') AS seq FROM json_each(@marks)`;
  const tenantIds = 'SELECT value FROM json_each(@tenants)';
  return {
    maxSeq: `SELECT ${nextSeq} - 1 AS m`,
    insertFirst: `INSERT INTO ${t} (${columns}) VALUES (${firstValues}) RETURNING seq`,
    insert: `INSERT INTO ${t} (${columns}) VALUES (${values})`,
    insertOnceFirst: `INSERT INTO ${t} (${columns}) VALUES (${firstValues}) ON CONFLICT (id) DO NOTHING RETURNING seq`,
    insertOnce: `INSERT INTO ${t} (${columns}) VALUES (${values}) ON CONFLICT (id) DO NOTHING`,
    envelopeById: `SELECT envelope FROM ${t} WHERE id = ?`,
    // Each claimable tenant's head (its earliest row above its watermark): the head is pending and
    // due, and the tenant is not leased by a live relay.
    heads: `WITH RECURSIVE ${tenantScan}
      SELECT h.id AS id, h.tenant_id AS tenantId, h.seq AS seq
      FROM tenants LEFT JOIN ${tenantTable} m ON m.tenant_id = tenants.tenant_id
      JOIN ${t} h ON h.rowid = (
        SELECT x.rowid FROM ${t} x
        WHERE x.status <> 'dispatched' AND x.tenant_id = tenants.tenant_id AND x.seq > COALESCE(m.dispatched_seq, 0)
        ORDER BY x.seq LIMIT 1)
      WHERE ${dueSql('h.')} AND (m.claimed_by IS NULL OR m.claimed_at <= @expired)
      ORDER BY h.seq LIMIT @limit`,
    // Every unpublished row from @from on, in seq order (a tenant's rows at or below its
    // watermark come along and are skipped by the plan, which reads above each head).
    window: `SELECT id, tenant_id AS tenantId, seq, (${dueSql('')}) AS ok, attempts, envelope, created_at AS createdAt,
        event_type AS eventType, schema_version AS schemaVersion
      FROM ${t} WHERE seq >= @from AND status <> 'dispatched' ORDER BY seq LIMIT @limit`,
    // One statement for the tenants the window could not answer: @requests is a JSON array of
    // [tenantId, afterSeq] (afterSeq at or above the tenant's watermark); each tenant's next rows
    // come from an index range scan.
    candidates: `SELECT o.id, o.tenant_id AS tenantId, o.seq, (${dueSql('o.')}) AS ok, o.attempts, o.envelope,
        o.created_at AS createdAt, o.event_type AS eventType, o.schema_version AS schemaVersion
      FROM json_each(@requests) r, ${t} o
      WHERE o.rowid IN (
        SELECT x.rowid FROM ${t} x
        WHERE x.tenant_id = json_extract(r.value, '$[0]') AND x.status <> 'dispatched'
          AND x.seq > json_extract(r.value, '$[1]')
        ORDER BY x.seq LIMIT @limit)`,
    // Tenant leases live on the tenant rows; the claim checked the tenants in the same transaction.
    lease: `INSERT INTO ${tenantTable} (tenant_id, claimed_by, claimed_at) SELECT value, @workerId, @now FROM json_each(@tenants) WHERE true
      ON CONFLICT (tenant_id) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at`,
    validLeases: `SELECT tenant_id AS tenantId FROM ${tenantTable} WHERE tenant_id IN (${tenantIds}) AND claimed_by = @workerId`,
    // Settling moves each held tenant's watermark (never backwards) and clears its lease.
    settleTenants: `UPDATE ${tenantTable} SET dispatched_seq = MAX(dispatched_seq, j.seq), claimed_by = NULL, claimed_at = NULL
      FROM (${markPairs}) j WHERE ${tenantTable}.tenant_id = j.tenant_id AND ${tenantTable}.claimed_by = @workerId`,
    releaseAll: `UPDATE ${tenantTable} SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = @workerId`,
    logDispatch: `INSERT INTO ${log} (dispatched_at, tenant_id, up_to_seq) SELECT @now, tenant_id, seq FROM (${markPairs}) WHERE true
      ON CONFLICT (dispatched_at, tenant_id) DO UPDATE SET up_to_seq = MAX(up_to_seq, excluded.up_to_seq)`,
    // retentionMs = 0: the dispatched rows themselves go at once (the caller passes held tenants' rows).
    deleteDispatched: `DELETE FROM ${t} WHERE id IN (${ids}) AND status = 'pending'`,
    raiseFloor: `UPDATE ${floor} SET seq = MAX(seq, @seq) WHERE id = 1`,
    fail: `UPDATE ${t} SET attempts = @attempts, status = @status, next_attempt_at = @nextAttemptAt, last_error = @error
      WHERE id = @id AND status = 'pending' AND tenant_id IN (${tenantIds})`,
    renew: `UPDATE ${tenantTable} SET claimed_at = @now WHERE tenant_id IN (${tenantIds}) AND claimed_by = @workerId`,
    // Retention: per tenant, the highest watermark reached before @before; rows up to it go.
    purgeTargets: `SELECT tenant_id AS tenantId, MAX(up_to_seq) AS upTo FROM ${log}
      WHERE dispatched_at < @before GROUP BY tenant_id`,
    purgeTenant: `DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t}
      WHERE status <> 'dispatched' AND tenant_id = @tenantId AND seq <= @upTo AND status = 'pending' ORDER BY seq LIMIT @limit)`,
    purgeLog: `DELETE FROM ${log} WHERE dispatched_at < @before`,
    // Rows marked dispatched by schema version 1.
    purgeLegacy: `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE status = 'dispatched' AND dispatched_at < @before LIMIT @limit)`,
    // Counts rows above each tenant's watermark from the index alone; the oldest pending row is
    // each tenant's first pending row above its watermark (usually its head).
    stats: `WITH RECURSIVE ${tenantScan},
      wms(tenant_id, wm) AS (SELECT tenants.tenant_id, COALESCE(m.dispatched_seq, 0)
        FROM tenants LEFT JOIN ${tenantTable} m ON m.tenant_id = tenants.tenant_id WHERE tenants.tenant_id IS NOT NULL)
      SELECT
        COALESCE(SUM((SELECT COUNT(*) FROM ${t} x
          WHERE x.tenant_id = wms.tenant_id AND x.status <> 'dispatched' AND x.seq > wms.wm)), 0) AS unpublished,
        MIN((SELECT x.created_at FROM ${t} x
          WHERE x.tenant_id = wms.tenant_id AND x.status <> 'dispatched' AND x.seq > wms.wm AND x.status = 'pending'
          ORDER BY x.seq LIMIT 1)) AS oldest
      FROM wms`,
    // Failed rows are never below a watermark (only a tenant's earliest unpublished row fails).
    countFailed: `SELECT COUNT(*) AS n FROM ${t} WHERE status = 'failed'`,
    claimedTenants: `SELECT COUNT(*) AS n FROM ${tenantTable} WHERE claimed_by IS NOT NULL AND claimed_at > @expired`,
    countRows: `SELECT COUNT(*) AS n FROM ${t}`,
    listFailed: `SELECT id, seq, tenant_id AS tenantId, event_type AS eventType, attempts, last_error AS lastError,
        created_at AS createdAt, envelope FROM ${t}
      WHERE status = 'failed' AND (@tenantId IS NULL OR tenant_id = @tenantId)
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

/** A row may be published now: pending and due (not backing off). */
function dueSql(p: string): string {
  return `${p}status = 'pending' AND ${p}next_attempt_at <= @now`;
}

/** The statement texts, by name. */
export type SqliteStatementTexts = ReturnType<typeof sqliteStatements>;
