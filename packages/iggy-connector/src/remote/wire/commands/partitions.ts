import { empty, identifier, struct, u32 } from '../codec';
import { CommandCode } from '../constants';
import { defineCommand } from './command';

const body = struct({ stream: identifier, topic: identifier, partitionsCount: u32 });

/** CreatePartitions (402 → op 136, reply op 65): appends partitions; empty response. */
export const createPartitions = defineCommand('CreatePartitions', CommandCode.CreatePartitions, body, empty);

/** DeletePartitions (403 → op 137): removes partitions from the end; empty response. */
export const deletePartitions = defineCommand('DeletePartitions', CommandCode.DeletePartitions, body, empty);
