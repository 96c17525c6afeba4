/**
 * The slice of a better-sqlite3 `Database` the outbox uses, described structurally so this
 * package never imports better-sqlite3 (an optional peer dependency): pass your own `Database`.
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Makes `get`/`all` return rows as arrays of column values (in select order) instead of objects. */
  raw(toggle?: boolean): unknown;
}

/** A transaction function as returned by better-sqlite3's `db.transaction(fn)`. */
export interface SqliteTransactionFn<T> {
  (): T;
  immediate(): T;
}

/** A better-sqlite3 `Database` (or anything with the same synchronous API). */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  transaction<T>(fn: () => T): SqliteTransactionFn<T>;
  readonly inTransaction: boolean;
  readonly open: boolean;
  readonly name: string;
}
