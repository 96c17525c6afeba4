import { v7 } from 'uuid';

/**
 * A new event id: a UUIDv7 string, strictly increasing within this process (as a string and as
 * 16 bytes), also for many ids in the same millisecond or when the wall clock steps back.
 */
export function newEventId(): string {
  // uuid@11 keeps per-process state for option-less v7(): within one millisecond (or when the
  // clock goes back) it increments a 32-bit counter instead of drawing new random bits, and
  // carries into the timestamp on overflow. id.test.ts pins this behaviour.
  return v7();
}
