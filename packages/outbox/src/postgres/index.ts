export {
  createPostgresInbox,
  PostgresInbox,
  type PostgresInboxOptions,
  PostgresInboxOptionsSchema,
} from '../inbox/postgres-inbox';
export {
  createPostgresOutbox,
  PostgresOutbox,
  type PostgresOutboxOptions,
  PostgresOutboxOptionsSchema,
} from '../stores/postgres/store';
export type { PgNotification, PgPool, PgPoolClient, PgQueryable, PgQueryResult } from '../stores/postgres/types';
