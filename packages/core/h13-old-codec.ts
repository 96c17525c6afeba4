import { ErrorCodes, RustokError, ValidationError } from '@rustok/core';
import type { HeaderKind, HeaderValue, MessageHeaders } from '../iggy-connector/src/types';

/** Iggy's limit on the encoded user headers of one message. */
export const MAX_HEADERS_BYTES = 100_000;
/** Largest key or value field of one header TLV. */
const MAX_FIELD_BYTES = 255;
/** Bytes of one TLV prefix: kind u8 + length u32. */
const TLV_PREFIX = 5;

/** Wire kind numbers, in Iggy's order (1 Raw … 15 Float64). */
const KIND_CODES: Readonly<Record<HeaderKind, number>> = {
  raw: 1,
  string: 2,
  bool: 3,
  int8: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  int128: 8,
  uint8: 9,
  uint16: 10,
  uint32: 11,
  uint64: 12,
  uint128: 13,
  float32: 14,
  float64: 15,
};

const KINDS_BY_CODE: readonly (HeaderKind | undefined)[] = (() => {
  const table: (HeaderKind | undefined)[] = [];
  for (const [kind, code] of Object.entries(KIND_CODES)) table[code] = kind as HeaderKind;
  return table;
})();

/** Fixed value sizes of the numeric and bool kinds. */
const FIXED_SIZES: Readonly<Partial<Record<HeaderKind, number>>> = {
  bool: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  int128: 16,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  uint128: 16,
  float32: 4,
  float64: 8,
};

/** Integer ranges of the `number`-valued integer kinds. */
const NUMBER_RANGES: Readonly<Partial<Record<HeaderKind, readonly [number, number]>>> = {
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int32: [-0x8000_0000, 0x7fff_ffff],
  uint8: [0, 0xff],
  uint16: [0, 0xffff],
  uint32: [0, 0xffff_ffff],
};

/** Bit widths and signedness of the `bigint`-valued kinds. */
const BIGINT_KINDS: Readonly<Partial<Record<HeaderKind, { bits: number; signed: boolean }>>> = {
  int64: { bits: 64, signed: true },
  int128: { bits: 128, signed: true },
  uint64: { bits: 64, signed: false },
  uint128: { bits: 128, signed: false },
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const MASK_64 = (1n << 64n) - 1n;

/** Throws a `VALIDATION` error naming the offending header. */
function invalid(message: string, key: string): never {
  throw new ValidationError(message, { details: { field: 'headers', header: key } });
}

/** Validates one value and returns its encoded size. */
function valueSize(key: string, value: HeaderValue): number {
  if (typeof value !== 'object' || value === null || !(value.kind in KIND_CODES)) {
    invalid(`header "${key}" has an unknown kind`, key);
  }
  const fixed = FIXED_SIZES[value.kind];
  if (value.kind === 'string') {
    if (typeof value.value !== 'string') invalid(`header "${key}" must hold a string`, key);
    const size = Buffer.byteLength(value.value, 'utf8');
    if (size < 1 || size > MAX_FIELD_BYTES) invalid(`header "${key}" value must be 1..255 bytes`, key);
    return size;
  }
  if (value.kind === 'raw') {
    if (!(value.value instanceof Uint8Array)) invalid(`header "${key}" must hold bytes`, key);
    const size = value.value.byteLength;
    if (size < 1 || size > MAX_FIELD_BYTES) invalid(`header "${key}" value must be 1..255 bytes`, key);
    return size;
  }
  if (value.kind === 'bool') {
    if (typeof value.value !== 'boolean') invalid(`header "${key}" must hold a boolean`, key);
    return 1;
  }
  const bigintKind = BIGINT_KINDS[value.kind];
  if (bigintKind !== undefined) {
    const v = value.value;
    if (typeof v !== 'bigint') invalid(`header "${key}" (${value.kind}) must hold a bigint`, key);
    const limit = 1n << BigInt(bigintKind.bits - (bigintKind.signed ? 1 : 0));
    const min = bigintKind.signed ? -limit : 0n;
    if (v < min || v >= limit) invalid(`header "${key}" is out of range for ${value.kind}`, key);
    return fixed as number;
  }
  const v = value.value;
  if (typeof v !== 'number') invalid(`header "${key}" (${value.kind}) must hold a number`, key);
  const range = NUMBER_RANGES[value.kind];
  if (range !== undefined && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
    invalid(`header "${key}" is not a valid ${value.kind}`, key);
  }
  return fixed as number;
}

/** Validates every header and returns the encoded size in bytes. */
function measure(headers: MessageHeaders): { size: number; keys: Buffer[] } {
  if (typeof headers !== 'object' || headers === null) {
    throw new ValidationError('headers must be an object', { details: { field: 'headers' } });
  }
  let size = 0;
  const keys: Buffer[] = [];
  for (const [key, value] of Object.entries(headers)) {
    const keyBytes = Buffer.from(key, 'utf8');
    if (keyBytes.length < 1 || keyBytes.length > MAX_FIELD_BYTES) {
      invalid('header keys must be 1..255 bytes', key);
    }
    keys.push(keyBytes);
    size += TLV_PREFIX + keyBytes.length + TLV_PREFIX + valueSize(key, value);
  }
  if (size > MAX_HEADERS_BYTES) {
    throw new ValidationError(`headers take ${size} bytes, more than ${MAX_HEADERS_BYTES}`, {
      details: { field: 'headers', size, max: MAX_HEADERS_BYTES },
    });
  }
  return { size, keys };
}

/** Encoded size of `headers` in bytes (0 for no headers); throws `VALIDATION` when invalid. */
export function headersByteLength(headers: MessageHeaders): number {
  return measure(headers).size;
}

/** Writes one value's bytes at `pos`; returns the position after them. */
function writeValue(out: Buffer, pos: number, value: HeaderValue): number {
  switch (value.kind) {
    case 'raw':
      out.set(value.value, pos);
      return pos + value.value.byteLength;
    case 'string':
      return pos + out.write(value.value, pos, 'utf8');
    case 'bool':
      return out.writeUInt8(value.value ? 1 : 0, pos);
    case 'int8':
      return out.writeInt8(value.value, pos);
    case 'int16':
      return out.writeInt16LE(value.value, pos);
    case 'int32':
      return out.writeInt32LE(value.value, pos);
    case 'uint8':
      return out.writeUInt8(value.value, pos);
    case 'uint16':
      return out.writeUInt16LE(value.value, pos);
    case 'uint32':
      return out.writeUInt32LE(value.value, pos);
    case 'float32':
      return out.writeFloatLE(value.value, pos);
    case 'float64':
      return out.writeDoubleLE(value.value, pos);
    case 'int64':
      return out.writeBigInt64LE(value.value, pos);
    case 'uint64':
      return out.writeBigUInt64LE(value.value, pos);
    case 'int128':
    case 'uint128': {
      const bits = BigInt.asUintN(128, value.value);
      out.writeBigUInt64LE(bits & MASK_64, pos);
      return out.writeBigUInt64LE(bits >> 64n, pos + 8);
    }
  }
}

/**
 * Encodes user headers in Iggy's TLV format: per header a key TLV (kind 2, String) then a value
 * TLV, each `[kind u8][len u32 LE][bytes]`. Throws `VALIDATION` for invalid headers.
 */
export function encodeHeaders(headers: MessageHeaders): Buffer {
  const { size, keys } = measure(headers);
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  let i = 0;
  for (const value of Object.values(headers)) {
    const key = keys[i++] as Buffer;
    pos = out.writeUInt8(KIND_CODES.string, pos);
    pos = out.writeUInt32LE(key.length, pos);
    out.set(key, pos);
    pos += key.length;
    pos = out.writeUInt8(KIND_CODES[value.kind], pos);
    const lengthAt = pos;
    pos = writeValue(out, pos + 4, value);
    out.writeUInt32LE(pos - lengthAt - 4, lengthAt);
  }
  return out;
}

/** Throws the `DECODE_FAILED` error for undecodable header bytes. */
function garbage(message: string, position: number): never {
  throw new RustokError(ErrorCodes.DECODE_FAILED, `invalid user headers: ${message}`, {
    details: { position },
  });
}

/** Reads one value of `kind` from `view` (exactly its bytes). */
function readValue(kind: HeaderKind, view: Buffer, position: number): HeaderValue {
  switch (kind) {
    case 'raw':
      return { kind, value: new Uint8Array(view) };
    case 'string':
      try {
        return { kind, value: strictUtf8.decode(view) };
      } catch {
        return garbage('string value is not UTF-8', position);
      }
    case 'bool': {
      const byte = view[0];
      if (byte !== 0 && byte !== 1) garbage('bool value must be 0 or 1', position);
      return { kind, value: byte === 1 };
    }
    case 'int8':
      return { kind, value: view.readInt8(0) };
    case 'int16':
      return { kind, value: view.readInt16LE(0) };
    case 'int32':
      return { kind, value: view.readInt32LE(0) };
    case 'uint8':
      return { kind, value: view.readUInt8(0) };
    case 'uint16':
      return { kind, value: view.readUInt16LE(0) };
    case 'uint32':
      return { kind, value: view.readUInt32LE(0) };
    case 'float32':
      return { kind, value: view.readFloatLE(0) };
    case 'float64':
      return { kind, value: view.readDoubleLE(0) };
    case 'int64':
      return { kind, value: view.readBigInt64LE(0) };
    case 'uint64':
      return { kind, value: view.readBigUInt64LE(0) };
    case 'int128':
    case 'uint128': {
      const bits = view.readBigUInt64LE(0) | (view.readBigUInt64LE(8) << 64n);
      return { kind, value: kind === 'int128' ? BigInt.asIntN(128, bits) : bits };
    }
  }
}

/** Reads one TLV at `pos`; returns its kind code, its bytes and the next position. */
function readTlv(buf: Buffer, pos: number): { code: number; bytes: Buffer; next: number } {
  if (pos + TLV_PREFIX > buf.length) garbage('truncated TLV header', pos);
  const code = buf.readUInt8(pos);
  const length = buf.readUInt32LE(pos + 1);
  if (length < 1 || length > MAX_FIELD_BYTES) garbage(`field length ${length} not in 1..255`, pos);
  const start = pos + TLV_PREFIX;
  if (start + length > buf.length) garbage('truncated TLV value', pos);
  return { code, bytes: buf.subarray(start, start + length), next: start + length };
}

/**
 * Decodes Iggy TLV user headers. Undecodable bytes (bad kind, length, UTF-8, duplicate key,
 * truncation) throw `RustokError` with code `DECODE_FAILED`; callers expose the raw bytes instead.
 */
export function decodeHeaders(bytes: Uint8Array): MessageHeaders {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: MessageHeaders = {};
  let pos = 0;
  while (pos < buf.length) {
    const keyTlv = readTlv(buf, pos);
    if (keyTlv.code !== KIND_CODES.string) garbage(`key kind ${keyTlv.code} is not String`, pos);
    let key: string;
    try {
      key = strictUtf8.decode(keyTlv.bytes);
    } catch {
      return garbage('key is not UTF-8', pos);
    }
    if (Object.hasOwn(headers, key)) garbage(`duplicate key "${key}"`, pos);
    const valuePos = keyTlv.next;
    if (valuePos >= buf.length) garbage(`key "${key}" has no value`, valuePos);
    const valueTlv = readTlv(buf, valuePos);
    const kind = KINDS_BY_CODE[valueTlv.code];
    if (kind === undefined) garbage(`unknown value kind ${valueTlv.code}`, valuePos);
    const fixed = FIXED_SIZES[kind];
    if (fixed !== undefined && fixed !== valueTlv.bytes.length) {
      garbage(`${kind} value must be ${fixed} bytes`, valuePos);
    }
    Object.defineProperty(headers, key, {
      value: readValue(kind, valueTlv.bytes, valuePos),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    pos = valueTlv.next;
  }
  return headers;
}
