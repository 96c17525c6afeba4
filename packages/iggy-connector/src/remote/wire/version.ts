/** A protocol version: major.minor.patch, each 0..1023. */
export interface ProtocolVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The protocol generation this codec speaks: VSR protocol 0.11.0 (Iggy server 0.9.x). */
export const CLIENT_PROTOCOL: ProtocolVersion = Object.freeze({ major: 0, minor: 11, patch: 0 });

/** SDK name and version sent in the login body (any non-empty strings are accepted). */
export const SDK_NAME = 'rustok-ts';
/** See `SDK_NAME`. */
export const SDK_VERSION = '0.1.0';

const TEN_BITS = 0x3ff;

/** Packs a version as `major << 20 | minor << 10 | patch` (spec §5.1). */
export function packVersion(version: ProtocolVersion): number {
  for (const part of [version.major, version.minor, version.patch]) {
    if (!Number.isInteger(part) || part < 0 || part > TEN_BITS) {
      throw new RangeError(`version parts must be integers in 0..${TEN_BITS}`);
    }
  }
  return ((version.major << 20) | (version.minor << 10) | version.patch) >>> 0;
}

/** Unpacks a packed version (bits 31–30 are ignored). */
export function unpackVersion(packed: number): ProtocolVersion {
  return { major: (packed >>> 20) & TEN_BITS, minor: (packed >>> 10) & TEN_BITS, patch: packed & TEN_BITS };
}

/** `major.minor.patch`. */
export function formatVersion(version: ProtocolVersion | number): string {
  const v = typeof version === 'number' ? unpackVersion(version) : version;
  return `${v.major}.${v.minor}.${v.patch}`;
}

/**
 * The server's gate (spec §5.1): a client is accepted when it is at least the server's minimum
 * and its major.minor is not above the server's. We also refuse an older server major.minor
 * than ours, since a codec is written for exactly one generation.
 */
export function isCompatible(client: number, server: number, serverMin = server & ~TEN_BITS): boolean {
  return client >= serverMin && client >>> 10 === server >>> 10;
}
