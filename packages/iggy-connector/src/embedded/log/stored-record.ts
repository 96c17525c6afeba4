import { type ByteView, ENTRY_ID, ENTRY_ORIGIN } from './batch-format';
import type { StoredRecord } from './types';

const EMPTY = Buffer.alloc(0);

/**
 * A record read back from a verified batch. Offset, id, origin timestamp and headers are
 * materialised from the read buffer only when asked for, so a reader that touches just the
 * payload (and the last offset) allocates one object and one Buffer view per record.
 */
export class DecodedRecord implements StoredRecord {
  readonly timestamp: bigint;
  readonly payload: Buffer;
  private readonly bv: ByteView;
  /** Byte position of this record's index entry in `bv`. */
  private readonly entry: number;
  private readonly offsetNumber: number;
  /** Byte position of the headers in `bv` (they end where the payload starts). */
  private readonly headersAt: number;
  private readonly headersLength: number;

  /** Wraps the entry at `entry` of `bv`; `payload` views the record's payload bytes. */
  constructor(
    bv: ByteView,
    entry: number,
    offset: number,
    timestamp: bigint,
    payload: Buffer,
    headersAt: number,
    headersLength: number,
  ) {
    this.bv = bv;
    this.entry = entry;
    this.offsetNumber = offset;
    this.timestamp = timestamp;
    this.payload = payload;
    this.headersAt = headersAt;
    this.headersLength = headersLength;
  }

  /** Offset of the record in its partition. */
  get offset(): bigint {
    return BigInt(this.offsetNumber);
  }

  /** The record's 128-bit id. */
  get id(): bigint {
    const view = this.bv.view;
    const lo = view.getBigUint64(this.entry + ENTRY_ID, true);
    const hi = view.getBigUint64(this.entry + ENTRY_ID + 8, true);
    return hi === 0n ? lo : (hi << 64n) | lo;
  }

  /** Producer-supplied timestamp, µs. */
  get originTimestamp(): bigint {
    return this.bv.view.getBigUint64(this.entry + ENTRY_ORIGIN, true);
  }

  /** TLV-encoded headers, a view into the read buffer (empty when the record has none). */
  get headers(): Buffer {
    const h = this.headersLength;
    if (h === 0) return EMPTY;
    const bytes = this.bv.bytes;
    return bytes.subarray(this.headersAt, this.headersAt + h);
  }

}
