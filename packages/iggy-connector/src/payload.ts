/** Bytes a message payload takes when sent: its length, or for a string its UTF-8 length. */
export function payloadByteLength(payload: Uint8Array | string): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
}
