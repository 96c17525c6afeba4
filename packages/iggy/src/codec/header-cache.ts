import { headersByteLength, type MessageHeaders, sealHeaders } from '@rustok/iggy-connector';
import { buildEventHeaders, HeaderNames, type HeaderSource } from './headers';

/** The headers of an event with their encoded size. */
export interface EventHeaderBytes {
  headers: MessageHeaders;
  /** Encoded (TLV) size of `headers`. */
  bytes: number;
}

/** Most distinct (type, tenant, version) header sets kept; the cache is cleared when full. */
const DEFAULT_LIMIT = 4096;

/**
 * Builds event headers, reusing one sealed (pre-encoded, frozen) header set per event type,
 * tenant and schema version, so a stream of events of few types and tenants encodes each set
 * once. Events with a `traceparent` carry a unique header set and are built afresh.
 */
export class EventHeaderCache {
  readonly #contentType: string;
  readonly #limit: number;
  readonly #sets = new Map<string, EventHeaderBytes>();

  /** A cache for headers written with `contentType`, holding at most `limit` header sets. */
  constructor(contentType: string, limit = DEFAULT_LIMIT) {
    this.#contentType = contentType;
    this.#limit = limit;
  }

  /** The headers of `envelope` (validated) and their encoded size. */
  headersOf(envelope: HeaderSource): EventHeaderBytes {
    const traceparent = envelope.headers?.[HeaderNames.TRACEPARENT];
    if (typeof traceparent === 'string' && traceparent.length > 0) {
      const headers = buildEventHeaders(envelope, this.#contentType);
      return { headers, bytes: headersByteLength(headers) };
    }
    const key = `${envelope.type}\u0000${envelope.schemaVersion}\u0000${envelope.tenantId}`;
    let set = this.#sets.get(key);
    if (set === undefined) {
      const headers = sealHeaders(buildEventHeaders(envelope, this.#contentType));
      set = { headers, bytes: headersByteLength(headers) };
      if (this.#sets.size >= this.#limit) this.#sets.clear();
      this.#sets.set(key, set);
    }
    return set;
  }
}
