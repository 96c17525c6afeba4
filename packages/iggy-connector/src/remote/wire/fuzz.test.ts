import { isRustokError } from '@rustok/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../connection/frame-reader';
import { decodeResponse, encodeResponse } from './commands/index';
import { HEADER_SIZE } from './constants';
import { decodeReply } from './funnel';
import { encodeReplyFrame } from './header';
import { samples } from './testing/samples';

/** Longest any single decode may take (a hang or blow-up fails the case). */
const CASE_LIMIT_MS = 250;
/** Bound of each property run, so the file stays fast. */
const RUN_OPTIONS = { numRuns: 300, interruptAfterTimeLimit: 4_000 } as const;

/** Runs `fn`; it may return, or throw a typed error whose code is in `codes` (any code if empty). */
function returnsOrThrowsTyped(fn: () => unknown, codes: readonly string[] = ['PROTOCOL']): void {
  const started = performance.now();
  try {
    fn();
  } catch (error) {
    if (!isRustokError(error)) throw new Error(`untyped error escaped: ${String(error)}`);
    if (codes.length > 0 && !codes.includes(error.code)) {
      throw new Error(`unexpected code ${error.code}: ${error.message}`);
    }
  }
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
}

const commandIndex = fc.integer({ min: 0, max: samples.length - 1 });

describe('decoder fuzzing', () => {
  it('random payloads into every response decoder: only PROTOCOL errors', () => {
    fc.assert(
      fc.property(commandIndex, fc.uint8Array({ maxLength: 700 }), (i, payload) => {
        const command = samples[i]![0];
        returnsOrThrowsTyped(() => decodeResponse(command, payload));
      }),
      RUN_OPTIONS,
    );
  });

  it('truncated and bit-flipped valid payloads: only PROTOCOL errors', () => {
    fc.assert(
      fc.property(commandIndex, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (i, cut, flipAt, flip) => {
        const [command, , response] = samples[i]!;
        const payload = encodeResponse(command, response);
        const truncated = payload.subarray(0, payload.length === 0 ? 0 : cut % payload.length);
        returnsOrThrowsTyped(() => decodeResponse(command, truncated));
        if (payload.length > 0) {
          const flipped = Buffer.from(payload);
          flipped[flipAt % flipped.length]! ^= flip;
          returnsOrThrowsTyped(() => decodeResponse(command, flipped));
        }
      }),
      RUN_OPTIONS,
    );
  });

  it('random and truncated frames into the reply funnel: only typed errors', () => {
    const validFrame = fc.tuple(commandIndex, fc.nat()).map(([i, cut]) => {
      const [command, , response] = samples[i]!;
      const frame = encodeReplyFrame({ operation: command.operation }, encodeResponse(command, response));
      return frame.subarray(0, cut % (frame.length + 1));
    });
    const randomFrame = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((b) => Buffer.from(b));
    const headerShaped = fc
      .tuple(fc.uint8Array({ minLength: HEADER_SIZE, maxLength: 400 }), fc.constantFrom(8, 13, 5, 0))
      .map(([b, command]) => {
        const frame = Buffer.from(b);
        frame.writeUInt32LE(frame.length, 48);
        frame[60] = command;
        return frame;
      });
    fc.assert(
      fc.property(fc.oneof(validFrame, randomFrame, headerShaped), (frame) => {
        // Statuses and result sections legitimately map to any typed error; nothing untyped.
        returnsOrThrowsTyped(() => decodeReply(frame), []);
      }),
      RUN_OPTIONS,
    );
  });

  it('a byte stream split at random points into the frame reader: frames or PROTOCOL', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2_000 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
        (stream, cuts) => {
          const reader = new FrameReader(1024);
          let pos = 0;
          let i = 0;
          returnsOrThrowsTyped(() => {
            while (pos < stream.length) {
              const size = cuts[i++ % cuts.length]!;
              for (const frame of reader.push(Buffer.from(stream.subarray(pos, pos + size)))) {
                expect(frame.length).toBeGreaterThanOrEqual(HEADER_SIZE);
                expect(frame.length).toBeLessThanOrEqual(1024);
              }
              pos += size;
              expect(reader.buffered).toBeLessThanOrEqual(1024);
            }
          });
        },
      ),
      RUN_OPTIONS,
    );
  });
});
