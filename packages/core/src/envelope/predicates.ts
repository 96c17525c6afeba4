import { NIL_UUID } from './constants';

/** Size of `value` in UTF-8 bytes (what limits are measured in, not UTF-16 code units). */
export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for a UUID string of version 7 and the RFC 9562 variant (either letter case). */
export function isUuidV7(value: string): boolean {
  return UUID_V7.test(value);
}

/** True for the nil UUID. */
export function isNilUuid(value: string): boolean {
  return value === NIL_UUID;
}

// Segments are letters, digits, `_` or `-`; the first starts with a letter; at least one dot.
const DOTTED_NAME = /^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+$/;

/** True for a dotted event name such as `order.created` or `billing.invoice-paid.v2`. */
export function isDottedName(value: string): boolean {
  return DOTTED_NAME.test(value);
}

/** True when the string has at least one character that is not whitespace. */
export function isNonBlank(value: string): boolean {
  return value.trim().length > 0;
}

/** The decimal value of the `count` ASCII digits at `at`, or -1 when one is not a digit. */
function digits(value: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * True for an ISO-8601 UTC timestamp `YYYY-MM-DDTHH:mm:ss[.fraction]Z` naming a real calendar
 * instant (no offsets other than `Z`, no February 30th, no leap second). The fraction has 1–9
 * digits. Checked character by character, without allocating.
 */
export function isIsoUtcTimestamp(value: string): boolean {
  const length = value.length;
  // 20 chars without a fraction; with one, a dot and 1–9 digits before the `Z`.
  if (length !== 20 && (length < 22 || length > 30)) return false;
  if (
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 || // -
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58 || // :
    value.charCodeAt(length - 1) !== 90 // Z
  ) {
    return false;
  }
  if (length > 20) {
    if (value.charCodeAt(19) !== 46) return false; // .
    if (digits(value, 20, length - 21) < 0) return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  return day <= daysInMonth(year, month);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
}

/** True for an object created by `{}`/`Object.create(null)`: not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Describes a value's JS type for error messages, without echoing the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}
