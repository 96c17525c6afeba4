import { quoteIdent } from '../../sql/identifier';
import type { PgNames } from './names';

/** Schema of version 1: the outbox table, its indexes, the worker registry and the NOTIFY trigger. */
export function pgSchemaV1(n: PgNames): string[] {
  const t = n.qualified;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
      id text PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      tenant_id text NOT NULL,
      event_type text NOT NULL,
      schema_version integer NOT NULL,
      envelope jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dispatched', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      claimed_by text,
      claimed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      dispatched_at timestamptz
    )`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${n.table}_claim_idx`)} ON ${t} (tenant_id, seq) WHERE status <> 'dispatched'`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${n.table}_dispatched_idx`)} ON ${t} (dispatched_at) WHERE status = 'dispatched'`,
    `CREATE TABLE IF NOT EXISTS ${n.workers} (
      worker_id text PRIMARY KEY,
      instance_id text NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now()
    )`,
    // One notification per inserting statement; PostgreSQL delivers it at commit (never on rollback).
    `CREATE OR REPLACE FUNCTION ${n.notifyFunction}() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN PERFORM pg_notify('${n.channel}', ''); RETURN NULL; END $fn$`,
    `DROP TRIGGER IF EXISTS ${quoteIdent(`${n.table}_notify`)} ON ${t}`,
    `CREATE TRIGGER ${quoteIdent(`${n.table}_notify`)} AFTER INSERT ON ${t}
      FOR EACH STATEMENT EXECUTE FUNCTION ${n.notifyFunction}()`,
  ];
}

const ttl = (param: string) => `now() - ${param} * interval '1 millisecond'`;

/** A row may be claimed: pending, due, and not leased (or its lease expired); `$ttl` is the lease TTL. */
function claimable(p: string, ttlParam: string): string {
  return `${p}status = 'pending' AND ${p}next_attempt_at <= now() AND (${p}claimed_by IS NULL OR ${p}claimed_at <= ${ttl(ttlParam)})`;
}

/** The SQL texts of the PostgreSQL store. Times are the database's (`now()`). */
export function pgStatements(n: PgNames) {
  const t = n.qualified;
  const w = n.workers;
  const insertSelect = `INSERT INTO ${t} (id, tenant_id, event_type, schema_version, envelope)
    SELECT u.id, u.tenant_id, u.event_type, u.schema_version, u.envelope::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
      WITH ORDINALITY AS u(id, tenant_id, event_type, schema_version, envelope, ord)
    ORDER BY u.ord`;
  return {
    insert: insertSelect,
    insertOnce: `${insertSelect} ON CONFLICT (id) DO NOTHING RETURNING id`,
    envelopesByIds: `SELECT id, envelope FROM ${t} WHERE id = ANY($1::text[])`,
    // $1 lease TTL ms, $2 limit. Loose index scan over tenants with unpublished rows; lock each
    // claimable tenant's earliest row, skipping those another relay is claiming right now.
    heads: `WITH RECURSIVE tenants(tenant_id) AS (
        SELECT min(tenant_id) FROM ${t} WHERE status <> 'dispatched'
        UNION ALL
        SELECT (SELECT min(tenant_id) FROM ${t} WHERE status <> 'dispatched' AND tenant_id > tenants.tenant_id)
        FROM tenants WHERE tenants.tenant_id IS NOT NULL
      )
      SELECT o.id, o.tenant_id AS "tenantId", o.seq FROM ${t} o
      WHERE o.id IN (
          SELECT (SELECT h.id FROM ${t} h WHERE h.status <> 'dispatched' AND h.tenant_id = tenants.tenant_id
                  ORDER BY h.seq LIMIT 1)
          FROM tenants WHERE tenants.tenant_id IS NOT NULL)
        AND ${claimable('o.', '$1')}
      ORDER BY o.seq LIMIT $2
      FOR UPDATE OF o SKIP LOCKED`,
    // $1 tenants, $2 after seqs, $3 limits, $4 lease TTL ms.
    candidates: `SELECT x.id, x.tenant_id AS "tenantId", x.seq, x.ok, x.attempts, x.envelope, x.created_at AS "createdAt"
      FROM unnest($1::text[], $2::bigint[], $3::int[]) AS s(tenant_id, after_seq, lim)
      CROSS JOIN LATERAL (
        SELECT r.id, r.tenant_id, r.seq, (${claimable('r.', '$4')}) AS ok, r.attempts, r.envelope, r.created_at
        FROM ${t} r
        WHERE r.tenant_id = s.tenant_id AND r.status <> 'dispatched' AND r.seq > s.after_seq
        ORDER BY r.seq LIMIT s.lim) x`,
    // $1 worker, $2 lease rows (already locked by this transaction).
    lease: `UPDATE ${t} SET claimed_by = $1, claimed_at = now() WHERE id = ANY($2::text[])`,
    // $1 lease rows, $2 worker: the leases still ours, locked until the settlement commits.
    validLeases: `SELECT id, tenant_id AS "tenantId" FROM ${t} WHERE id = ANY($1::text[]) AND claimed_by = $2 FOR UPDATE`,
    clearLeases: `UPDATE ${t} SET claimed_by = NULL, claimed_at = NULL WHERE id = ANY($1::text[]) AND claimed_by = $2`,
    releaseAll: `UPDATE ${t} SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = $1 AND status <> 'dispatched'`,
    // $1 ids, $2 tenants whose lease was verified in the same transaction.
    dispatch: `UPDATE ${t} SET status = 'dispatched', dispatched_at = now(), claimed_by = NULL, claimed_at = NULL
      WHERE id = ANY($1::text[]) AND status = 'pending' AND tenant_id = ANY($2::text[])`,
    deleteDispatched: `DELETE FROM ${t} WHERE id = ANY($1::text[]) AND status = 'pending' AND tenant_id = ANY($2::text[])`,
    // $1 ids, $2 attempts, $3 statuses, $4 delays ms, $5 errors, $6 verified tenants.
    fail: `UPDATE ${t} AS o SET attempts = u.attempts, status = u.status,
        next_attempt_at = now() + u.delay_ms * interval '1 millisecond', last_error = u.error,
        claimed_by = NULL, claimed_at = NULL
      FROM unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::text[]) AS u(id, attempts, status, delay_ms, error)
      WHERE o.id = u.id AND o.status = 'pending' AND o.tenant_id = ANY($6::text[])`,
    renew: `UPDATE ${t} SET claimed_at = now() WHERE id = ANY($1::text[]) AND claimed_by = $2`,
    purge: `DELETE FROM ${t} WHERE id IN (
        SELECT id FROM ${t} WHERE status = 'dispatched' AND dispatched_at < ${ttl('$1')} LIMIT $2)`,
    stats: `SELECT
        count(*) FILTER (WHERE status = 'pending')::int AS pending,
        count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_at > ${ttl('$1')})::int AS claimed,
        (extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')) * 1000)::float8 AS "oldestMs"
      FROM ${t} WHERE status <> 'dispatched'`,
    countDispatched: `SELECT count(*)::int AS n FROM ${t} WHERE status = 'dispatched'`,
    listFailed: `SELECT id, seq, tenant_id AS "tenantId", event_type AS "eventType", attempts, last_error AS "lastError",
        created_at AS "createdAt", envelope
      FROM ${t} WHERE status <> 'dispatched' AND status = 'failed' AND ($1::text IS NULL OR tenant_id = $1)
      ORDER BY seq LIMIT $2`,
    requeue: `WITH r AS (
        UPDATE ${t} SET status = 'pending', attempts = 0, next_attempt_at = now(), claimed_by = NULL, claimed_at = NULL
        WHERE id = ANY($1::text[]) AND status = 'failed' RETURNING 1
      )
      SELECT (SELECT count(*) FROM r)::int AS n, pg_notify($2, '') AS notified`,
    workerInsert: `INSERT INTO ${w} (worker_id, instance_id, host, pid) VALUES ($1, $2, $3, $4)
      ON CONFLICT (worker_id) DO NOTHING RETURNING worker_id`,
    workerLock: `SELECT worker_id AS "workerId", instance_id AS "instanceId", host, pid,
        heartbeat_at > ${ttl('$2')} AS fresh
      FROM ${w} WHERE worker_id = $1 FOR UPDATE`,
    workerTake: `UPDATE ${w} SET instance_id = $2, host = $3, pid = $4, started_at = now(), heartbeat_at = now()
      WHERE worker_id = $1`,
    workerBeat: `UPDATE ${w} SET heartbeat_at = now() WHERE worker_id = $1 AND instance_id = $2`,
    workerDelete: `DELETE FROM ${w} WHERE worker_id = $1 AND instance_id = $2`,
  };
}

/** The statement texts, by name. */
export type PgStatementTexts = ReturnType<typeof pgStatements>;
