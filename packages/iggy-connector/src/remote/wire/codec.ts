import { ValidationError } from '@rustok/core';
import { decodeHeaders, encodeHeaders } from '../../headers/codec';
import type { MessageHeaders } from '../../types';
import { protocolError } from './errors';
import { type Reader, Writer } from './io';

/** A two-way binary codec for one wire structure. */
export interface Codec<T> {
  /** Appends `value` to `w`; throws `VALIDATION` for a value the wire cannot carry. */
  write(w: Writer, value: T): void;
  /** Reads one value from `r`; throws `PROTOCOL` for bytes that do not decode. */
  read(r: Reader): T;
}

/** The value type of a codec. */
export type CodecValue<C> = C extends Codec<infer T> ? T : never;

const U32_MAX = 0xffff_ffff;
const U64_LIMIT = 1n << 64n;

function invalid(message: string, field: string): never {
  throw new ValidationError(message, { details: { field } });
}

/** Checks a u32 before it is written. */
export function checkU32(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) invalid(`${field} must be a u32`, field);
  return value;
}

/** Checks a u64 before it is written. */
export function checkU64(value: bigint, field: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= U64_LIMIT) invalid(`${field} must be a u64`, field);
  return value;
}

/** u8. */
export const u8: Codec<number> = {
  write: (w, v) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) invalid('value must be a u8', 'u8');
    w.u8(v);
  },
  read: (r) => r.u8(),
};
/** u16. */
export const u16: Codec<number> = {
  write: (w, v) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) invalid('value must be a u16', 'u16');
    w.u16(v);
  },
  read: (r) => r.u16(),
};
/** u32. */
export const u32: Codec<number> = { write: (w, v) => w.u32(checkU32(v, 'u32')), read: (r) => r.u32() };
/** u64 as bigint. */
export const u64: Codec<bigint> = { write: (w, v) => w.u64(checkU64(v, 'u64')), read: (r) => r.u64() };
/** u128 as bigint. */
export const u128: Codec<bigint> = { write: (w, v) => w.u128(v), read: (r) => r.u128() };
/** f32. */
export const f32: Codec<number> = { write: (w, v) => w.f32(v), read: (r) => r.f32() };
/** A 0/1 byte. */
export const bool: Codec<boolean> = {
  write: (w, v) => w.u8(v ? 1 : 0),
  read: (r) => {
    const b = r.u8('bool');
    if (b > 1) r.fail(`bool byte ${b} is not 0 or 1`);
    return b === 1;
  },
};

/** UTF-8 bytes of a 1–255 byte name, or `VALIDATION`. */
export function nameBytes(value: string, field = 'name'): Buffer {
  if (typeof value !== 'string') invalid(`${field} must be a string`, field);
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) {
    invalid(`${field} must be 1–255 UTF-8 bytes, got ${bytes.length}`, field);
  }
  return bytes;
}

/** `[len u8 1..255][UTF-8]`. */
export const name: Codec<string> = {
  write: (w, v) => {
    const bytes = nameBytes(v);
    w.u8(bytes.length).bytes(bytes);
  },
  read: (r) => {
    const len = r.u8('name length');
    if (len === 0) r.fail('name length 0');
    return r.utf8(len, 'name');
  },
};

/** `[len u32][UTF-8]` (stats strings, cluster names). */
export const string32: Codec<string> = {
  write: (w, v) => {
    const bytes = Buffer.from(v, 'utf8');
    w.u32(bytes.length).bytes(bytes);
  },
  read: (r) => r.utf8(r.u32('string length'), 'string'),
};

/** `[len u8][raw bytes]` (tokens, passwords). */
export const bytes8: Codec<Uint8Array> = {
  write: (w, v) => {
    if (v.byteLength > 255) invalid('field must be at most 255 bytes', 'bytes');
    w.u8(v.byteLength).bytes(v);
  },
  read: (r) => new Uint8Array(r.bytes(r.u8('length'), 'bytes')),
};

/** `[len u32][raw bytes]`. */
export const bytes32: Codec<Uint8Array> = {
  write: (w, v) => {
    w.u32(v.byteLength).bytes(v);
  },
  read: (r) => new Uint8Array(r.bytes(r.u32('length'), 'bytes')),
};

/** A stream/topic/group/consumer identifier: a u32 number (kind 1) or a name (kind 2). */
export type Identifier = number | string;

/** `[kind u8][len u8][value]`: kind 1 numeric (len 4), kind 2 string (len 1..255). */
export const identifier: Codec<Identifier> = {
  write: (w, v) => {
    if (typeof v === 'number') {
      w.u8(1).u8(4).u32(checkU32(v, 'identifier'));
    } else {
      const bytes = nameBytes(v, 'identifier');
      w.u8(2).u8(bytes.length).bytes(bytes);
    }
  },
  read: (r) => {
    const kind = r.u8('identifier kind');
    const len = r.u8('identifier length');
    if (kind === 1) {
      if (len !== 4) r.fail(`numeric identifier length ${len} is not 4`);
      return r.u32('identifier');
    }
    if (kind === 2) {
      if (len === 0) r.fail('string identifier length 0');
      return r.utf8(len, 'identifier');
    }
    return r.fail(`unknown identifier kind ${kind}`);
  },
};

/** A consumer on the wire: kind 1 (standalone consumer) or 2 (consumer group). */
export interface WireConsumer {
  kind: 'consumer' | 'group';
  id: Identifier;
}

/** `[kind u8][Identifier]`. */
export const consumer: Codec<WireConsumer> = {
  write: (w, v) => {
    w.u8(v.kind === 'group' ? 2 : 1);
    identifier.write(w, v.id);
  },
  read: (r) => {
    const kind = r.u8('consumer kind');
    if (kind !== 1 && kind !== 2) r.fail(`unknown consumer kind ${kind}`);
    return { kind: kind === 2 ? 'group' : 'consumer', id: identifier.read(r) };
  },
};

/** How the server picks a partition for a send. */
export type Partitioning =
  | { kind: 'balanced' }
  | { kind: 'partition'; id: number }
  | { kind: 'key'; key: Uint8Array };

/** `[kind u8][len u8][value]`: 1 Balanced (len 0), 2 PartitionId (u32), 3 MessagesKey (1..255). */
export const partitioning: Codec<Partitioning> = {
  write: (w, v) => {
    if (v.kind === 'balanced') w.u8(1).u8(0);
    else if (v.kind === 'partition') w.u8(2).u8(4).u32(checkU32(v.id, 'partition'));
    else {
      if (v.key.byteLength < 1 || v.key.byteLength > 255) invalid('messages key must be 1–255 bytes', 'key');
      w.u8(3).u8(v.key.byteLength).bytes(v.key);
    }
  },
  read: (r) => {
    const kind = r.u8('partitioning kind');
    const len = r.u8('partitioning length');
    if (kind === 1) {
      if (len !== 0) r.fail(`balanced partitioning length ${len} is not 0`);
      return { kind: 'balanced' };
    }
    if (kind === 2) {
      if (len !== 4) r.fail(`partition id length ${len} is not 4`);
      return { kind: 'partition', id: r.u32('partition id') };
    }
    if (kind === 3) {
      if (len === 0) r.fail('messages key length 0');
      return { kind: 'key', key: new Uint8Array(r.bytes(len, 'messages key')) };
    }
    return r.fail(`unknown partitioning kind ${kind}`);
  },
};

/** `[flag u8][u32]`: a present partition id, or `null` (flag 0, id 0). */
export const optionalPartition: Codec<number | null> = {
  write: (w, v) => {
    if (v === null) w.u8(0).u32(0);
    else w.u8(1).u32(checkU32(v, 'partition'));
  },
  read: (r) => {
    const flag = r.u8('partition flag');
    const id = r.u32('partition id');
    if (flag > 1) r.fail(`partition flag ${flag} is not 0 or 1`);
    return flag === 1 ? id : null;
  },
};

/** Polling strategy kinds in wire order (1 Offset … 5 Next). */
export const STRATEGY_KINDS = ['offset', 'timestamp', 'first', 'last', 'next'] as const;

/** A polling strategy on the wire. `value` is the offset or the µs timestamp (else 0). */
export interface WireStrategy {
  kind: (typeof STRATEGY_KINDS)[number];
  value: bigint;
}

/** `[kind u8][value u64]`. */
export const strategy: Codec<WireStrategy> = {
  write: (w, v) => {
    const index = STRATEGY_KINDS.indexOf(v.kind);
    if (index < 0) invalid(`unknown polling strategy ${String(v.kind)}`, 'strategy');
    w.u8(index + 1).u64(checkU64(v.value, 'strategy value'));
  },
  read: (r) => {
    const kind = r.u8('strategy kind');
    const value = r.u64('strategy value');
    const name = STRATEGY_KINDS[kind - 1];
    if (name === undefined) return r.fail(`unknown polling strategy kind ${kind}`);
    return { kind: name, value };
  },
};

/** A key/value options block (keys are strings; values typed like user headers). */
export type Options = MessageHeaders;

function decodeTlv(bytes: Uint8Array, r: Reader): Options {
  try {
    return decodeHeaders(bytes);
  } catch (error) {
    return r.fail(`options block does not decode (${(error as Error).message})`);
  }
}

/** A request options block: TLV pairs to the end of the body, no length prefix. */
export const optionsToEnd: Codec<Options> = {
  write: (w, v) => {
    w.bytes(encodeHeaders(v));
  },
  read: (r) => decodeTlv(r.rest(), r),
};

/** A response options block: `[len u32][TLV pairs]`. */
export const optionsPrefixed: Codec<Options> = {
  write: (w, v) => {
    const bytes = encodeHeaders(v);
    w.u32(bytes.length).bytes(bytes);
  },
  read: (r) => decodeTlv(r.bytes(r.u32('options length'), 'options'), r),
};

/** Every byte to the end (raw). */
export const rest: Codec<Uint8Array> = {
  write: (w, v) => {
    w.bytes(v);
  },
  read: (r) => new Uint8Array(r.rest()),
};

/** Nothing at all (empty bodies). */
export const empty: Codec<void> = {
  write: () => {},
  read: () => undefined,
};

/** A fixed sequence of named fields, written in key order. */
export function struct<S extends Record<string, Codec<unknown>>>(
  shape: S,
): Codec<{ [K in keyof S]: CodecValue<S[K]> }> {
  const entries = Object.entries(shape);
  return {
    write: (w, v) => {
      for (const [key, codec] of entries) codec.write(w, (v as Record<string, unknown>)[key]);
    },
    read: (r) => {
      const out: Record<string, unknown> = {};
      for (const [key, codec] of entries) out[key] = codec.read(r);
      return out as { [K in keyof S]: CodecValue<S[K]> };
    },
  };
}

/** `[count u32]` then `count` items. */
export function counted<T>(item: Codec<T>): Codec<T[]> {
  return {
    write: (w, v) => {
      w.u32(checkU32(v.length, 'count'));
      for (const x of v) item.write(w, x);
    },
    read: (r) => {
      const count = r.u32('count');
      const out: T[] = [];
      for (let i = 0; i < count; i++) out.push(item.read(r));
      return out;
    },
  };
}

/** Items back-to-back until the body ends (no count). */
export function untilEnd<T>(item: Codec<T>): Codec<T[]> {
  return {
    write: (w, v) => {
      for (const x of v) item.write(w, x);
    },
    read: (r) => {
      const out: T[] = [];
      while (r.remaining > 0) out.push(item.read(r));
      return out;
    },
  };
}

/** A codec whose empty body means `null` ("not found" on reads, spec §6.1). */
export function orNull<T>(inner: Codec<T>): Codec<T | null> {
  return {
    write: (w, v) => {
      if (v !== null) inner.write(w, v);
    },
    read: (r) => (r.remaining === 0 ? null : inner.read(r)),
  };
}

/** Encodes one value with `codec` into a fresh buffer. */
export function encodeWith<T>(codec: Codec<T>, value: T, capacity?: number): Buffer {
  const w = new Writer(capacity);
  codec.write(w, value);
  return w.finish();
}

/** A `PROTOCOL` error for a value a response codec cannot represent. */
export function badValue(message: string): never {
  throw protocolError(message);
}
