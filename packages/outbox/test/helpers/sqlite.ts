import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import Database from 'better-sqlite3';

/** A better-sqlite3 database file in WAL mode inside a fresh temp dir. */
export interface SqliteFixture extends AsyncDisposable {
  db: Database.Database;
  path: string;
  dir: TempDir;
  /** Another connection to the same file (closed by `cleanup`). */
  connect(): Database.Database;
  cleanup(): Promise<void>;
}

/** Opens a temporary SQLite database; `cleanup()` closes every connection and removes the dir. */
export async function sqliteFixture(): Promise<SqliteFixture> {
  const dir = await makeTempDir('rustok-outbox-');
  const path = join(dir.path, 'app.db');
  const connections: Database.Database[] = [];
  const connect = () => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    connections.push(db);
    return db;
  };
  const db = connect();
  const cleanup = async () => {
    for (const c of connections) if (c.open) c.close();
    await dir.cleanup();
  };
  return { db, path, dir, connect, cleanup, [Symbol.asyncDispose]: cleanup };
}
