import type { Consumer } from '../../types';
import { offsetKeyFor, validateConsumer } from '../consumers';
import type { Engine } from '../engine';
import { invalidOffset } from '../errors';
import { validateName, validateOffset, validatePartitionNumber } from '../validate';
import { assertCanWriteOffset, assertGroupExists, type PartitionRef } from './ownership';

function checkRef(consumer: Consumer, ref: PartitionRef): void {
  validateConsumer(consumer);
  validateName('stream', ref.stream);
  validateName('topic', ref.topic);
  validatePartitionNumber(ref.partition);
}

/**
 * Stores "this offset and everything before it are processed". Beyond the partition's last
 * offset → `INVALID_OFFSET`; negative → `VALIDATION`.
 */
export async function storeOffset(
  engine: Engine,
  consumer: Consumer,
  ref: PartitionRef,
  offset: bigint,
): Promise<void> {
  checkRef(consumer, ref);
  validateOffset(offset);
  const { runtime, topic } = await engine.topicByName(ref.stream, ref.topic);
  const log = runtime.log(ref.partition);
  assertCanWriteOffset(engine, consumer, runtime, topic, ref);
  const last = log.nextOffset - 1n;
  if (offset > last) throw invalidOffset(ref, offset, last);
  await runtime.offsets.store(offsetKeyFor(consumer, ref.partition), offset);
}

/** Returns the stored offset, or null when nothing is stored (unknown group → `NOT_FOUND`). */
export async function getOffset(engine: Engine, consumer: Consumer, ref: PartitionRef): Promise<bigint | null> {
  checkRef(consumer, ref);
  const { runtime, topic } = await engine.topicByName(ref.stream, ref.topic);
  runtime.log(ref.partition);
  if (consumer.kind === 'group') assertGroupExists(ref, topic, consumer.name);
  return runtime.offsets.get(offsetKeyFor(consumer, ref.partition)) ?? null;
}

/** Removes a stored offset (same rules as `storeOffset` for who may do it). */
export async function deleteOffset(engine: Engine, consumer: Consumer, ref: PartitionRef): Promise<void> {
  checkRef(consumer, ref);
  const { runtime, topic } = await engine.topicByName(ref.stream, ref.topic);
  runtime.log(ref.partition);
  assertCanWriteOffset(engine, consumer, runtime, topic, ref);
  await runtime.offsets.delete(offsetKeyFor(consumer, ref.partition));
}
