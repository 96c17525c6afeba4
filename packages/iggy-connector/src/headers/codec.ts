import { ErrorCodes, RustokError, ValidationError } from '@rustok/core';
import type { HeaderKind, HeaderValue, MessageHeaders } from '../types';
import { crc32 } from '../embedded/log/checksum';

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

/** Most distinct header keys whose encoded key TLV is cached; the cache is cleared when full. */
const KEY_CACHE_LIMIT = 1024;
/** Encoded key TLVs (`[2][len u32 LE][utf8 key]`) of valid keys, by key. */
const keyTlvCache = new Map<string, Buffer>();

/** The key TLV of `key`, from the cache or freshly encoded; throws `VALIDATION` when invalid. */
function keyTlv(key: string): Buffer {
  const cached = keyTlvCache.get(key);
  if (cached !== undefined) return cached;
  const size = Buffer.byteLength(key, 'utf8');
  if (size < 1 || size > MAX_FIELD_BYTES) invalid('header keys must be 1..255 bytes', key);
  const tlv = Buffer.alloc(TLV_PREFIX + size);
  tlv[0] = KIND_CODES.string;
  tlv.writeUInt32LE(size, 1);
  tlv.write(key, TLV_PREFIX, 'utf8');
  if (keyTlvCache.size >= KEY_CACHE_LIMIT) keyTlvCache.clear();
  keyTlvCache.set(key, tlv);
  return tlv;
}

/** Throws `VALIDATION` unless `headers` is an object. */
function assertObject(headers: MessageHeaders): void {
  if (typeof headers !== 'object' || headers === null) {
    throw new ValidationError('headers must be an object', { details: { field: 'headers' } });
  }
}

/** Throws `VALIDATION` when the encoded headers exceed Iggy's limit. */
function assertTotal(size: number): void {
  if (size > MAX_HEADERS_BYTES) {
    throw new ValidationError(`headers take ${size} bytes, more than ${MAX_HEADERS_BYTES}`, {
      details: { field: 'headers', size, max: MAX_HEADERS_BYTES },
    });
  }
}

/** Encodings of sealed header objects (see `sealHeaders`), by object identity. */
const sealedEncodings = new WeakMap<object, Buffer>();

/**
 * Validates and encodes `headers` once and returns a deep-frozen copy whose encoding sends reuse:
 * pass the same sealed object with many messages and no send encodes it again. Raw values are
 * copied; do not modify the bytes of a sealed raw value.
 */
export function sealHeaders(headers: MessageHeaders): Readonly<MessageHeaders> {
  assertObject(headers);
  const copy: MessageHeaders = {};
  for (const key of Object.keys(headers)) {
    const value = headers[key] as HeaderValue;
    const kept =
      typeof value === 'object' && value !== null && value.kind === 'raw' && value.value instanceof Uint8Array
        ? { kind: value.kind, value: new Uint8Array(value.value) }
        : { ...value };
    Object.defineProperty(copy, key, { value: Object.freeze(kept), enumerable: true });
  }
  const bytes = encodeHeaders(copy);
  Object.freeze(copy);
  sealedEncodings.set(copy, bytes);
  return copy;
}

/**
 * The encoded bytes of `headers` for a send: a sealed object's stored encoding (shared, so the
 * caller only copies it), otherwise a fresh encoding. Throws `VALIDATION` when invalid.
 */
export function headerBytesForSend(headers: MessageHeaders): Buffer {
  return sealedEncodings.get(headers) ?? encodeHeaders(headers);
}

/** Encoded size of `headers` in bytes (0 for no headers); throws `VALIDATION` when invalid. */
export function headersByteLength(headers: MessageHeaders): number {
  const sealed = sealedEncodings.get(headers);
  if (sealed !== undefined) return sealed.length;
  assertObject(headers);
  let size = 0;
  const keys = Object.keys(headers);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    size += keyTlv(key).length + TLV_PREFIX + valueSize(key, headers[key] as HeaderValue);
  }
  assertTotal(size);
  return size;
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

/** Room for one more header past the limit: two TLV prefixes, a key and a worst-case string. */
const HEADER_ROOM = TLV_PREFIX + MAX_FIELD_BYTES + TLV_PREFIX + 3 * MAX_FIELD_BYTES;
/** Scratch buffer every encode writes into before copying the result out (encoding is sync). */
const scratch = Buffer.allocUnsafe(MAX_HEADERS_BYTES + HEADER_ROOM);

/** Validates and writes one String value's TLV body at `pos`; returns its byte length. */
function writeStringValue(key: string, value: HeaderValue, pos: number, write: boolean): number {
  const text = value.value;
  if (typeof text !== 'string') invalid(`header "${key}" must hold a string`, key);
  // A UTF-16 code unit never takes fewer than one UTF-8 byte, so longer strings cannot fit.
  if (text.length < 1 || text.length > MAX_FIELD_BYTES) {
    invalid(`header "${key}" value must be 1..255 bytes`, key);
  }
  const size = write ? scratch.write(text, pos, 'utf8') : Buffer.byteLength(text, 'utf8');
  if (size > MAX_FIELD_BYTES) invalid(`header "${key}" value must be 1..255 bytes`, key);
  return size;
}

/**
 * Encodes user headers in Iggy's TLV format: per header a key TLV (kind 2, String) then a value
 * TLV, each `[kind u8][len u32 LE][bytes]`. Throws `VALIDATION` for invalid headers.
 */
export function encodeHeaders(headers: MessageHeaders): Buffer {
  assertObject(headers);
  const keys = Object.keys(headers);
  // Headers are validated and written in one pass; past the limit they are only measured so the
  // first invalid header still wins over the size error.
  let pos = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = headers[key] as HeaderValue;
    const tlv = keyTlv(key);
    const write = pos <= MAX_HEADERS_BYTES;
    if (write) tlv.copy(scratch, pos);
    pos += tlv.length;
    if (typeof value === 'object' && value !== null && value.kind === 'string') {
      const size = writeStringValue(key, value, pos + TLV_PREFIX, write);
      if (write) {
        scratch[pos] = KIND_CODES.string;
        scratch.writeUInt32LE(size, pos + 1);
      }
      pos += TLV_PREFIX + size;
      continue;
    }
    const size = valueSize(key, value);
    if (write) {
      scratch[pos] = KIND_CODES[value.kind];
      scratch.writeUInt32LE(size, pos + 1);
      writeValue(scratch, pos + TLV_PREFIX, value);
    }
    pos += TLV_PREFIX + size;
  }
  assertTotal(pos);
  const out = Buffer.allocUnsafe(pos);
  scratch.copy(out, 0, 0, pos);
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
    case 'string': {
      const value = utf8Text(view, 0, view.length);
      if (value === undefined) garbage('string value is not UTF-8', position);
      return { kind, value };
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

/** Longest ASCII string kept in the decode cache (header names and short values repeat). */
const CACHED_TEXT_BYTES = 48;
/** Slots of the direct-mapped decode cache (a power of two). */
const TEXT_SLOTS = 512;
/** Per slot: the bytes of the cached string, and the string. */
const slotBytes: (Uint8Array | undefined)[] = new Array(TEXT_SLOTS).fill(undefined);
const slotTexts: string[] = new Array(TEXT_SLOTS).fill('');

/** True when `buf[start, end)` equals `bytes`. */
function sameBytes(buf: Buffer, start: number, end: number, bytes: Uint8Array): boolean {
  if (bytes.length !== end - start) return false;
  for (let i = start, j = 0; i < end; i++, j++) if (buf[i] !== bytes[j]) return false;
  return true;
}

/**
 * Decodes `buf[start, end)` as strict UTF-8; `undefined` when invalid. ASCII is decoded as latin1
 * (the same characters), and short ASCII strings come from a small cache.
 */
function utf8Text(buf: Buffer, start: number, end: number): string | undefined {
  let hash = 0x811c9dc5;
  let high = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    high |= b;
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  if (high >= 0x80) {
    try {
      return strictUtf8.decode(buf.subarray(start, end));
    } catch {
      return undefined;
    }
  }
  if (end - start > CACHED_TEXT_BYTES) return buf.toString('latin1', start, end);
  const slot = (hash >>> 0) & (TEXT_SLOTS - 1);
  const cached = slotBytes[slot];
  if (cached !== undefined && sameBytes(buf, start, end, cached)) return slotTexts[slot];
  const text = buf.toString('latin1', start, end);
  slotBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
  slotTexts[slot] = text;
  return text;
}

/** Kind code of the TLV last read by `readTlv`. */
let tlvCode = 0;
/** Start of the bytes of the TLV last read by `readTlv`. */
let tlvStart = 0;

/** Reads one TLV at `pos` into `tlvCode`/`tlvStart`; returns the position after its bytes. */
function readTlv(buf: Buffer, pos: number): number {
  if (pos + TLV_PREFIX > buf.length) garbage('truncated TLV header', pos);
  const length = buf.readUInt32LE(pos + 1);
  if (length < 1 || length > MAX_FIELD_BYTES) garbage(`field length ${length} not in 1..255`, pos);
  const start = pos + TLV_PREFIX;
  if (start + length > buf.length) garbage('truncated TLV value', pos);
  tlvCode = buf[pos] as number;
  tlvStart = start;
  return start + length;
}

/** Header sets up to this many bytes are remembered, decoded, by their exact bytes. */
const CACHED_SET_BYTES = 512;
/**
 * Slots of the decoded-set cache (a power of two). A set may live in one of two slots picked by
 * its checksum, so a few hundred recurring sets (say, one per tenant) rarely evict each other.
 */
const SET_SLOTS = 1024;
const setSlotBytes: (Uint8Array | undefined)[] = new Array(SET_SLOTS).fill(undefined);
const setSlotHeaders: (MessageHeaders | undefined)[] = new Array(SET_SLOTS).fill(undefined);

/**
 * Decodes Iggy TLV user headers into a frozen object (frozen values too). Undecodable bytes (bad
 * kind, length, UTF-8, duplicate key, truncation) throw `RustokError` with code `DECODE_FAILED`;
 * callers expose the raw bytes instead. Messages of one producer mostly repeat a few header sets,
 * so a small cache keyed by the exact bytes hands the same frozen object out again.
 */
export function decodeHeaders(bytes: Uint8Array): MessageHeaders {
  const length = bytes.length;
  if (length > CACHED_SET_BYTES) return freezeHeaders(decodeHeaderBytes(bytes));
  const sum = crc32(bytes);
  const first = sum & (SET_SLOTS - 1);
  const second = (sum >>> 16) & (SET_SLOTS - 1);
  if (holdsSet(first, bytes)) return setSlotHeaders[first] as MessageHeaders;
  if (holdsSet(second, bytes)) return setSlotHeaders[second] as MessageHeaders;
  const headers = freezeHeaders(decodeHeaderBytes(bytes));
  // Fill an empty slot of the two, else replace the first (the second keeps an older set).
  const slot = setSlotBytes[first] === undefined || setSlotBytes[second] !== undefined ? first : second;
  setSlotBytes[slot] = Uint8Array.prototype.slice.call(bytes);
  setSlotHeaders[slot] = headers;
  return headers;
}

/** True when cache slot `slot` holds exactly the header set `bytes`. */
function holdsSet(slot: number, bytes: Uint8Array): boolean {
  const known = setSlotBytes[slot];
  return known !== undefined && known.length === bytes.length && Buffer.compare(known, bytes) === 0;
}

function freezeHeaders(headers: MessageHeaders): MessageHeaders {
  for (const key in headers) Object.freeze(headers[key]);
  return Object.freeze(headers);
}

/** Decodes header bytes into a fresh, mutable object (see `decodeHeaders`). */
function decodeHeaderBytes(bytes: Uint8Array): MessageHeaders {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: MessageHeaders = {};
  let pos = 0;
  while (pos < buf.length) {
    const keyEnd = readTlv(buf, pos);
    if (tlvCode !== KIND_CODES.string) garbage(`key kind ${tlvCode} is not String`, pos);
    const key = utf8Text(buf, tlvStart, keyEnd);
    if (key === undefined) garbage('key is not UTF-8', pos);
    if (Object.hasOwn(headers, key)) garbage(`duplicate key "${key}"`, pos);
    const valuePos = keyEnd;
    if (valuePos >= buf.length) garbage(`key "${key}" has no value`, valuePos);
    const next = readTlv(buf, valuePos);
    const kind = KINDS_BY_CODE[tlvCode];
    if (kind === undefined) garbage(`unknown value kind ${tlvCode}`, valuePos);
    const fixed = FIXED_SIZES[kind];
    if (fixed !== undefined && fixed !== next - tlvStart) {
      garbage(`${kind} value must be ${fixed} bytes`, valuePos);
    }
    const value = readValue(kind, buf.subarray(tlvStart, next), valuePos);
    if (key === '__proto__') {
      // Plain assignment would set the prototype; define an own property instead.
      Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      headers[key] = value;
    }
    pos = next;
  }
  return headers;
}
