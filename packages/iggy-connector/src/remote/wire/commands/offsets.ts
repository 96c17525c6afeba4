import { type Codec, consumer, empty, identifier, optionalPartition, orNull, struct, u8, u32, u64 } from '../codec';
import { CommandCode } from '../constants';
import { defineCommand } from './command';

/** Ack level of offset writes: 1 = Quorum (what SDKs send). */
export const ACK_QUORUM = 1;

const target = { consumer, stream: identifier, topic: identifier, partition: optionalPartition };

const offsetInfo = struct({ partitionId: u32, currentOffset: u64, storedOffset: u64 });

/** A stored consumer offset with the partition's current offset. */
export type ConsumerOffsetInfo = typeof offsetInfo extends Codec<infer T> ? T : never;

/** GetConsumerOffset (120): the stored offset, or null when nothing is stored. */
export const getConsumerOffset = defineCommand(
  'GetConsumerOffset',
  CommandCode.GetConsumerOffset,
  struct(target),
  orNull(offsetInfo),
);

/** StoreConsumerOffset (121 → op 161, result-framed): empty response. */
export const storeConsumerOffset = defineCommand(
  'StoreConsumerOffset',
  CommandCode.StoreConsumerOffset,
  struct({ ...target, offset: u64, ack: u8 }),
  empty,
);

/** DeleteConsumerOffset (122 → op 162, result-framed): empty response. */
export const deleteConsumerOffset = defineCommand(
  'DeleteConsumerOffset',
  CommandCode.DeleteConsumerOffset,
  struct({ ...target, ack: u8 }),
  empty,
);
