import { ValidationError } from '@rustok/core';
import { xxhash32String } from './xxhash32';

/**
 * The 0-based partition of a tenant: xxHash32 (seed 0) of its UTF-8 id modulo the partition
 * count — Iggy's own messages-key rule, so any Iggy client keyed by tenant id agrees.
 */
export function tenantPartition(tenantId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new ValidationError(`partition count must be a positive integer, got ${partitions}`, {
      details: { field: 'partitions' },
    });
  }
  return xxhash32String(tenantId) % partitions;
}
