import { ValidationError } from '@rustok/core';
import { xxhash32String } from './xxhash32';

/** Default number of tenants whose hash is remembered. */
const DEFAULT_CAPACITY = 65_536;

/**
 * Remembers the xxHash32 of recently seen tenant ids, so publishing does not re-hash the same
 * tenant for every event. Bounded: when full it starts over (hashing is cheap, memory is not).
 */
export class TenantHashCache {
  readonly #hashes = new Map<string, number>();
  readonly #capacity: number;

  /** A cache of at most `capacity` tenants. */
  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Number of tenants remembered. */
  get size(): number {
    return this.#hashes.size;
  }

  /** The tenant's partition: the same value as `tenantPartition(tenantId, partitions)`. */
  partition(tenantId: string, partitions: number): number {
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new ValidationError(`partition count must be a positive integer, got ${partitions}`, {
        details: { field: 'partitions' },
      });
    }
    let hash = this.#hashes.get(tenantId);
    if (hash === undefined) {
      hash = xxhash32String(tenantId);
      if (this.#hashes.size >= this.#capacity) this.#hashes.clear();
      this.#hashes.set(tenantId, hash);
    }
    return hash % partitions;
  }
}
