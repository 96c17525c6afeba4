import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Codec, consumer, encodeWith, identifier, optionalPartition, partitioning, strategy } from './codec';
import * as commands from './commands/index';
import { samples } from './testing/samples';
import type { WireCommand } from './commands/index';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './commands/index';
import { decodeRequestFrame, encodeRequestFrame } from './header';
import { Reader } from './io';

/** Turns every byte array into a plain number array, so Buffer and Uint8Array compare equal. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

describe('wire round trips', () => {
  it.each(samples.map((s, i) => [`${s[0].name} #${i}`, ...s] as const))(
    '%s: request and response survive encode → decode',
    (_label, command, request, response) => {
      const body = encodeRequest(command, request);
      expect(plain(stripChecksums(decodeRequest(command, body)))).toEqual(plain(request));
      const payload = encodeResponse(command, response);
      const decoded = decodeResponse(command, payload);
      // Decoded batches carry the checksums computed on encode; compare without them.
      expect(plain(stripChecksums(decoded))).toEqual(plain(response));
    },
  );

  it('covers every command the wire module defines', () => {
    const defined = Object.values(commands).filter(
      (v): v is WireCommand<unknown, unknown> => typeof v === 'object' && v !== null && 'code' in v && 'request' in v,
    );
    const sampled = new Set(samples.map((s) => s[0]));
    expect(defined.filter((c) => !sampled.has(c)).map((c) => c.name)).toEqual([]);
  });

  it('request headers round-trip', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: (1n << 128n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 1, max: 255 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.uint8Array({ maxLength: 64 }),
        (client, request, operation, session, code, body) => {
          const frame = encodeRequestFrame({ client, request, operation, session, code }, body);
          const decoded = decodeRequestFrame(frame);
          expect(decoded.header).toMatchObject({ client, request, operation, session, code });
          expect(Array.from(decoded.body)).toEqual(Array.from(body));
        },
      ),
    );
  });

  it('primitives round-trip for arbitrary values', () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.string({ minLength: 1, maxLength: 60 }));
    fc.assert(
      fc.property(
        id,
        fc.constantFrom('consumer' as const, 'group' as const),
        fc.option(fc.integer({ min: 0, max: 0xffff_ffff }), { nil: null }),
        fc.constantFrom('offset' as const, 'timestamp' as const, 'first' as const, 'last' as const, 'next' as const),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (ident, kind, part, strategyKind, value) => {
          expect(roundTrip(identifier, ident)).toEqual(ident);
          expect(roundTrip(consumer, { kind, id: ident })).toEqual({ kind, id: ident });
          expect(roundTrip(optionalPartition, part)).toEqual(part);
          expect(roundTrip(strategy, { kind: strategyKind, value })).toEqual({ kind: strategyKind, value });
          const p = part === null ? { kind: 'balanced' as const } : { kind: 'partition' as const, id: part };
          expect(roundTrip(partitioning, p)).toEqual(p);
        },
      ),
    );
  });
});

/** Encodes then decodes one value with `codec`; the whole encoding must be consumed. */
function roundTrip<T>(codec: Codec<T>, value: T): T {
  const r = new Reader(encodeWith(codec, value), 'test');
  const out = codec.read(r);
  r.end();
  return out;
}

/** Removes `checksum` keys that decoding adds to batches and frames. */
function stripChecksums(value: unknown): unknown {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(stripChecksums);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'checksum')
      .map(([k, v]) => [k, stripChecksums(v)]),
  );
}
