/**
 * Tenants parked by `onDeadLetter: 'park-tenant'`, per topic. Held in the memory of one group
 * member: a restart or a partition moving to another member forgets it.
 */
export class ParkingLot {
  private readonly parked = new Map<string, bigint>();

  /** Parks `tenant` on `topic`, remembering the offset of the event that caused it. */
  park(topic: string, tenant: string, offset: bigint): void {
    this.parked.set(this.key(topic, tenant), offset);
  }

  /** Unparks `tenant` on `topic`; returns whether it was parked. */
  unpark(topic: string, tenant: string): boolean {
    return this.parked.delete(this.key(topic, tenant));
  }

  /** Offset of the event that parked the tenant, or undefined when it is not parked. */
  parkedAt(topic: string, tenant: string): bigint | undefined {
    return this.parked.get(this.key(topic, tenant));
  }

  /** Number of parked (topic, tenant) pairs. */
  get size(): number {
    return this.parked.size;
  }

  private key(topic: string, tenant: string): string {
    return `${topic}\u0000${tenant}`;
  }
}
