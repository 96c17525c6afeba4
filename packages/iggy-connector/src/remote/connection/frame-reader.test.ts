import { isRustokError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, HEADER_SIZE } from '../wire/constants';
import { encodeReplyFrame } from '../wire/header';
import { FrameReader } from './frame-reader';

function frame(bodyLength: number, fill = 7): Buffer {
  return encodeReplyFrame({ operation: 2 }, Buffer.alloc(bodyLength, fill));
}

function header(declaredSize: number): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(declaredSize, 48);
  h[60] = 8;
  return h;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('FrameReader', () => {
  it('returns whole frames however the bytes are split', () => {
    const frames = [frame(0), frame(10, 1), frame(1000, 2)];
    const stream = Buffer.concat(frames);
    for (const step of [1, 3, 52, 255, 256, 300, stream.length]) {
      const reader = new FrameReader(DEFAULT_MAX_FRAME_BYTES);
      const out: Buffer[] = [];
      for (let pos = 0; pos < stream.length; pos += step) out.push(...reader.push(stream.subarray(pos, pos + step)));
      expect(out).toEqual(frames);
      expect(reader.buffered).toBe(0);
    }
  });

  it.each([
    ['2^32 − 1', 0xffff_ffff],
    ['64 MiB + 1', 64 * 1024 * 1024 + 1],
  ])('rejects a declared size of %s at once, with at most 256 bytes buffered', (_label, size) => {
    const reader = new FrameReader(DEFAULT_MAX_FRAME_BYTES);
    // Only the header arrives; the error must not wait for a body.
    const error = caught(() => reader.push(header(size)));
    expect(isRustokError(error) && error.code).toBe('PROTOCOL');
    expect((error as { details: Record<string, unknown> }).details.declaredSize).toBe(size);
    expect(reader.buffered).toBeLessThanOrEqual(256);
    // Even the first 52 bytes (up to the size field) suffice.
    const early = new FrameReader(DEFAULT_MAX_FRAME_BYTES);
    expect(isRustokError(caught(() => early.push(header(size).subarray(0, 52))))).toBe(true);
    expect(early.buffered).toBeLessThanOrEqual(256);
  });

  it('accepts exactly the maximum and rejects one byte more', () => {
    const max = 4096;
    const reader = new FrameReader(max);
    expect(reader.push(frame(max - HEADER_SIZE))).toHaveLength(1);
    const error = caught(() => reader.push(header(max + 1)));
    expect(isRustokError(error) && error.code).toBe('PROTOCOL');
  });

  it('rejects a declared size below the header size and stays failed', () => {
    const reader = new FrameReader(DEFAULT_MAX_FRAME_BYTES);
    const error = caught(() => reader.push(header(255)));
    expect(isRustokError(error) && error.code).toBe('PROTOCOL');
    expect(caught(() => reader.push(frame(0)))).toBe(error);
  });
});
