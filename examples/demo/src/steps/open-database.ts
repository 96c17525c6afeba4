import { rm } from 'node:fs/promises';
import Database from 'better-sqlite3';

/**
 * Step 0: the app's SQLite database, fresh on every run (the file and its WAL are removed
 * first), in WAL mode with `synchronous = NORMAL`, the setting recommended for the outbox.
 */
export async function openDatabase(file: string): Promise<Database.Database> {
  await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true })));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
