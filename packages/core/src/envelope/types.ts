/**
 * The event envelope as it travels between services. The zod schema in `schema.ts` is the source
 * of truth for validation; this interface is its static shape, generic in the payload.
 */
export interface EventEnvelope<TPayload = unknown> {
  /** UUIDv7 (time-ordered), never nil; also the Iggy message id. */
  id: string;
  /** Dotted event name, 1–255 bytes, e.g. `order.created`. */
  type: string;
  /** Payload schema version, integer ≥ 1. */
  schemaVersion: number;
  /** Tenant id, 1–255 bytes; the nil UUID means platform scope. */
  tenantId: string;
  /** Defaults to `id`. */
  correlationId: string;
  causationId?: string | undefined;
  actorId?: string | undefined;
  /** Non-blank, at most 512 bytes. */
  traceId?: string | undefined;
  /** ISO-8601 UTC timestamp. */
  occurredAt: string;
  /** Free string metadata, e.g. W3C `traceparent`. */
  headers: Record<string, string>;
  payload: TPayload;
}
