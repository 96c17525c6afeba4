export {
  createSqliteInbox,
  SqliteInbox,
  type SqliteInboxOptions,
  SqliteInboxOptionsSchema,
} from '../inbox/sqlite-inbox';
export {
  createSqliteOutbox,
  SqliteOutbox,
  type SqliteOutboxOptions,
  SqliteOutboxOptionsSchema,
} from '../stores/sqlite/store';
export type { SqliteDatabase, SqliteStatement, SqliteTransactionFn } from '../stores/sqlite/types';
