import { describe, expect, it } from 'vitest';
import { TailCache } from './tail-cache';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('TailCache', () => {
  it('keeps contiguous appends as one chunk whose batches count as verified', () => {
    const tail = new TailCache(64);
    expect(tail.chunk()).toBeNull();
    tail.append(bytes(16, 1), 100, [8, 8]);
    tail.append(bytes(8, 2), 116, [8]);
    const chunk = tail.chunk()!;
    expect(chunk.position).toBe(100);
    expect([...chunk.bytes]).toEqual([...bytes(16, 1), ...bytes(8, 2)]);
    expect([...chunk.verified].sort((a, b) => a - b)).toEqual([100, 108, 116]);
  });

  it('starts over after a gap or when full, leaving chunks handed out intact', () => {
    const tail = new TailCache(32);
    tail.append(bytes(24, 1), 0, [24]);
    const before = tail.chunk()!;
    tail.append(bytes(16, 2), 24, [16]); // no room: a new buffer from position 24
    expect(tail.chunk()!.position).toBe(24);
    expect([...before.bytes]).toEqual([...bytes(24, 1)]);
    tail.append(bytes(8, 3), 100, [8]); // a gap
    expect(tail.chunk()!.position).toBe(100);
    expect(tail.chunk()!.bytes.length).toBe(8);
  });

  it('does not keep an append larger than itself, and forgets everything on clear', () => {
    const tail = new TailCache(16);
    tail.append(bytes(8, 1), 0, [8]);
    tail.append(bytes(32, 2), 8, [32]);
    expect(tail.chunk()).toBeNull();
    tail.append(bytes(8, 1), 40, [8]);
    tail.clear();
    expect(tail.chunk()).toBeNull();
  });
});
