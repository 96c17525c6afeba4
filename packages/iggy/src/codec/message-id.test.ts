import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageIdToUuid, uuidToMessageId } from './message-id';

describe('message id', () => {
  it('reads the UUID bytes big-endian', () => {
    expect(uuidToMessageId('00000000-0000-0000-0000-000000000001')).toBe(1n);
    expect(uuidToMessageId('01000000-0000-0000-0000-000000000000')).toBe(1n << 120n);
    expect(uuidToMessageId('0190f3a0-1234-7abc-8def-0123456789ab')).toBe(
      0x0190f3a012347abc8def0123456789abn,
    );
  });

  it('round-trips any UUID (lower-cased)', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        expect(messageIdToUuid(uuidToMessageId(uuid))).toBe(uuid.toLowerCase());
      }),
    );
  });

  it('round-trips any u128', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (id) => {
        expect(uuidToMessageId(messageIdToUuid(id))).toBe(id);
      }),
    );
  });

  it('rejects a non-UUID and an out-of-range id', () => {
    expect(() => uuidToMessageId('nope')).toThrow(/not a UUID/);
    expect(() => messageIdToUuid(1n << 128n)).toThrow(/u128/);
  });
});
