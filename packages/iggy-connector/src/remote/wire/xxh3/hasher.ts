import { xxh3 } from '@node-rs/xxhash';
import { assemble } from './assembler';
import { XXH3_FUNCTIONS, XXH3_INPUT_BASE, XXH3_SECRET_HEX } from './program';

/**
 * XXH3-64 (seed 0) on a small WebAssembly module compiled once, synchronously, at load. Inputs
 * are copied into its memory; a whole batch of message frames is checksummed in one call, so
 * the per-message cost is the hash itself. Inputs larger than `CHUNK_BYTES` go to the native
 * `@node-rs/xxhash` binding instead (same results), so the module's memory stays small; so does
 * everything when WebAssembly is unavailable (e.g. `node --jitless`).
 */

/** Largest input the WebAssembly memory takes at once. */
export const CHUNK_BYTES = 4 << 20;
/** Bytes of the batch-checksum prefix (the six batch header meta fields). */
const META_BYTES = 44;
const FRAME_HEADER_BYTES = 48;
const PAGE = 65_536;

/** The slice of the WebAssembly API used here (the package's `lib` setting has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface Exports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  hash(p: number, n: number): bigint;
  frames(p: number, count: number, out: number): number;
}

/** The compiled module, or undefined when this runtime cannot compile it. */
function instantiate(): Exports | undefined {
  try {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api) return undefined;
    const exports = new api.Instance(new api.Module(assemble(XXH3_FUNCTIONS, 1)), {}).exports as Exports;
    new Uint8Array(exports.memory.buffer).set(Buffer.from(XXH3_SECRET_HEX, 'hex'), 0);
    return exports;
  } catch {
    return undefined;
  }
}

const wasm = instantiate();
let heap = new Uint8Array(wasm?.memory.buffer ?? new ArrayBuffer(0));
let heapView = new DataView(heap.buffer);

/** The module's memory as bytes, grown to at least `bytes`. */
function reserve(module: Exports, bytes: number): Uint8Array {
  const missing = bytes - module.memory.buffer.byteLength;
  if (missing > 0) module.memory.grow(Math.ceil(missing / PAGE));
  if (heap.buffer !== module.memory.buffer) {
    heap = new Uint8Array(module.memory.buffer);
    heapView = new DataView(module.memory.buffer);
  }
  return heap;
}

/** True when the WebAssembly hasher is in use (false: the native binding answers everything). */
export const usesWebAssembly = wasm !== undefined;

const align8 = (n: number) => (n + 7) & ~7;

/** XXH3-64 with seed 0 of `bytes`, as an unsigned bigint. */
export function xxh3Hash(bytes: Uint8Array): bigint {
  if (!wasm || bytes.byteLength > CHUNK_BYTES) return xxh3.xxh64(bytes);
  reserve(wasm, XXH3_INPUT_BASE + bytes.byteLength).set(bytes, XXH3_INPUT_BASE);
  return BigInt.asUintN(64, wasm.hash(XXH3_INPUT_BASE, bytes.byteLength));
}

function frameLength(buf: Uint8Array, view: DataView, at: number): number {
  if (at + FRAME_HEADER_BYTES > buf.byteLength) throw new RangeError(`frame header at ${at} overruns the buffer`);
  return FRAME_HEADER_BYTES + view.getUint32(at + 32, true) + view.getUint32(at + 36, true);
}

/**
 * Checksums `count` message frames tiled in `buf` from `start` to `end` (48-byte frame header:
 * checksum u64 at 0, user-headers length u32 at 32, payload length u32 at 36; then payload and
 * user headers): writes each frame's XXH3-64 over its bytes 8..end into its first 8 bytes, and
 * returns the batch checksum, the XXH3-64 of `meta` (the 44 batch meta bytes) followed by the
 * frame checksums in order.
 */
export function stampFrames(buf: Uint8Array, start: number, end: number, count: number, meta: Uint8Array): bigint {
  if (meta.byteLength !== META_BYTES) throw new RangeError(`batch meta must be ${META_BYTES} bytes`);
  const total = end - start;
  const sumsLength = META_BYTES + 8 * count;
  if (!wasm) return stampNatively(buf, start, end, count, meta);
  if (total <= CHUNK_BYTES && sumsLength <= CHUNK_BYTES) {
    // One copy in, one call, one copy out; the checksums land right after the meta bytes.
    const framesAt = align8(XXH3_INPUT_BASE + sumsLength);
    const memory = reserve(wasm, framesAt + total);
    memory.set(meta, XXH3_INPUT_BASE);
    memory.set(buf.subarray(start, end), framesAt);
    const after = wasm.frames(framesAt, count, XXH3_INPUT_BASE + META_BYTES);
    if (after !== framesAt + total) throw new RangeError(`${count} frames do not tile ${total} bytes`);
    buf.set(memory.subarray(framesAt, after), start);
    return BigInt.asUintN(64, wasm.hash(XXH3_INPUT_BASE, sumsLength));
  }
  return stampInChunks(wasm, buf, start, end, count, meta);
}

/** Where frames can be written straight into the hasher's memory (see `frameWorkspace`). */
export interface FrameWorkspace {
  /** The hasher's memory. */
  bytes: Uint8Array;
  /** A view of the same memory. */
  view: DataView;
  /** Where the first frame goes. */
  at: number;
}

/**
 * Room for `size` bytes of `count` frames in the hasher's own memory, so a batch is built where
 * it is hashed and copied only once more, by `stampWorkspace`. Valid until the next call into
 * this module. Undefined when the frames must be built elsewhere and passed to `stampFrames`
 * (no WebAssembly, or more than `CHUNK_BYTES`).
 */
export function frameWorkspace(size: number, count: number): FrameWorkspace | undefined {
  const sumsLength = META_BYTES + 8 * count;
  if (!wasm || size > CHUNK_BYTES || sumsLength > CHUNK_BYTES) return undefined;
  const at = align8(XXH3_INPUT_BASE + sumsLength);
  const bytes = reserve(wasm, at + size);
  return { bytes, view: heapView, at };
}

/**
 * Stamps the `count` frames (`size` bytes) written at `frameWorkspace(size, count)` like
 * `stampFrames`, copies them to `dest` at `destAt`, and returns the batch checksum.
 */
export function stampWorkspace(size: number, count: number, meta: Uint8Array, dest: Uint8Array, destAt: number): bigint {
  if (meta.byteLength !== META_BYTES) throw new RangeError(`batch meta must be ${META_BYTES} bytes`);
  const space = frameWorkspace(size, count);
  if (!wasm || !space) throw new RangeError(`no workspace for ${count} frames of ${size} bytes`);
  heap.set(meta, XXH3_INPUT_BASE);
  const after = wasm.frames(space.at, count, XXH3_INPUT_BASE + META_BYTES);
  if (after !== space.at + size) throw new RangeError(`${count} frames do not tile ${size} bytes`);
  dest.set(heap.subarray(space.at, after), destAt);
  return BigInt.asUintN(64, wasm.hash(XXH3_INPUT_BASE, META_BYTES + 8 * count));
}

/** `stampFrames` with the native binding, one frame at a time (no WebAssembly). */
export function stampNatively(buf: Uint8Array, start: number, end: number, count: number, meta: Uint8Array): bigint {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sums = Buffer.allocUnsafe(META_BYTES + 8 * count);
  sums.set(meta, 0);
  let pos = start;
  for (let i = 0; i < count; i++) {
    const length = frameLength(buf, view, pos);
    if (pos + length > end) throw new RangeError(`${count} frames overrun their ${end - start} bytes`);
    const sum = xxh3.xxh64(buf.subarray(pos + 8, pos + length));
    view.setBigUint64(pos, sum, true);
    sums.writeBigUInt64LE(sum, META_BYTES + 8 * i);
    pos += length;
  }
  if (pos !== end) throw new RangeError(`${count} frames do not tile ${end - start} bytes`);
  return xxh3.xxh64(sums);
}

/** `stampFrames` for batches larger than the module's window: runs of frames of ≤ `CHUNK_BYTES`. */
function stampInChunks(module: Exports, buf: Uint8Array, start: number, end: number, count: number, meta: Uint8Array): bigint {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sums = Buffer.allocUnsafe(META_BYTES + 8 * count);
  sums.set(meta, 0);
  let pos = start;
  let done = 0;
  while (done < count) {
    let runEnd = pos;
    let frames = 0;
    while (done + frames < count) {
      const length = frameLength(buf, view, runEnd);
      if (frames > 0 && runEnd + length - pos > CHUNK_BYTES) break;
      runEnd += length;
      frames++;
    }
    if (runEnd > end) throw new RangeError(`${count} frames overrun their ${end - start} bytes`);
    if (runEnd - pos > CHUNK_BYTES) {
      // One frame larger than the window: the native binding hashes it in place.
      const sum = xxh3.xxh64(buf.subarray(pos + 8, runEnd));
      view.setBigUint64(pos, sum, true);
      sums.writeBigUInt64LE(sum, META_BYTES + 8 * done);
    } else {
      const framesAt = align8(XXH3_INPUT_BASE + 8 * frames);
      const memory = reserve(module, framesAt + (runEnd - pos));
      memory.set(buf.subarray(pos, runEnd), framesAt);
      module.frames(framesAt, frames, XXH3_INPUT_BASE);
      buf.set(memory.subarray(framesAt, framesAt + (runEnd - pos)), pos);
      sums.set(memory.subarray(XXH3_INPUT_BASE, XXH3_INPUT_BASE + 8 * frames), META_BYTES + 8 * done);
    }
    pos = runEnd;
    done += frames;
  }
  if (pos !== end) throw new RangeError(`${count} frames do not tile ${end - start} bytes`);
  return xxh3Hash(sums);
}
