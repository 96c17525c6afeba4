/**
 * The slice of node-postgres (`pg`) the outbox uses, described structurally so this package never
 * imports `pg` (an optional peer dependency): pass your own `Pool` and `PoolClient`/`Client`.
 */
export interface PgQueryResult {
  rows: unknown[];
  rowCount: number | null;
}

/** Anything that runs a parameterised query: `Pool`, `PoolClient`, `Client`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

/** A LISTEN notification. */
export interface PgNotification {
  channel: string;
  payload?: string | undefined;
}

/** A client checked out of a pool. */
export interface PgPoolClient extends PgQueryable {
  release(err?: Error | boolean): void;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** A `pg.Pool`. The outbox never ends it: it belongs to the caller. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
}
