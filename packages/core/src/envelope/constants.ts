/** The nil UUID as a tenant id: the event belongs to the platform, not to one tenant. */
export const PLATFORM_TENANT = '00000000-0000-0000-0000-000000000000';

/** The nil UUID; never a valid event, correlation, causation or actor id. */
export const NIL_UUID = PLATFORM_TENANT;

/** Limits of the envelope's string fields, in UTF-8 bytes. */
export const EnvelopeLimits = {
  /** Maximum size of `type`. */
  typeBytes: 255,
  /** Maximum size of `tenantId`. */
  tenantBytes: 255,
  /** Maximum size of `traceId`. */
  traceIdBytes: 512,
} as const;
