/** Size limit of the `last_error` column, in UTF-8 bytes. */
export const LAST_ERROR_MAX_BYTES = 2048;

const MARKER = '…[truncated]';

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, on a character boundary, ending with a marker
 * when something was cut. Text that fits is returned unchanged.
 */
export function truncateUtf8(text: string, maxBytes = LAST_ERROR_MAX_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(MARKER, 'utf8');
  const bytes = Buffer.from(text, 'utf8');
  let end = Math.max(0, budget);
  // Step back to the start of a UTF-8 sequence (continuation bytes are 0b10xxxxxx).
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + MARKER;
}
