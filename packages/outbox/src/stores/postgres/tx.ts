import type { PgPool, PgPoolClient } from './types';

/**
 * Runs `fn` in a transaction on a client of `pool`: BEGIN, then COMMIT when `fn` resolves or
 * ROLLBACK when it throws (rethrowing). A client whose rollback failed is discarded.
 */
export async function withPgTransaction<T>(
  pool: PgPool,
  fn: (client: PgPoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    }
  } finally {
    client.release(broken);
  }
}
