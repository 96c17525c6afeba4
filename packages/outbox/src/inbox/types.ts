import { ValidationError } from '@rustok/core';

/** What `inbox.process` did: ran the handler (with its result) or skipped an already processed event. */
export type InboxResult<T> = { status: 'processed'; value: T } | { status: 'duplicate' };

/** Checks an event id and a consumer group name (non-empty strings of at most 255 characters). */
export function assertInboxKey(eventId: unknown, group: unknown): void {
  for (const [field, value] of [
    ['eventId', eventId],
    ['group', group],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
      throw new ValidationError(`${field} must be a non-empty string of at most 255 characters`, {
        details: { field },
      });
    }
  }
}
