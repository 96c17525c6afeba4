import { ErrorCodes, NotFoundError, RustokError } from '@rustok/core';

/** `NOT_FOUND` for a stream. */
export function streamNotFound(stream: string): NotFoundError {
  return new NotFoundError(`stream ${stream} not found`, { details: { stream } });
}

/** `NOT_FOUND` for a topic. */
export function topicNotFound(stream: string, topic: string): NotFoundError {
  return new NotFoundError(`topic ${stream}/${topic} not found`, { details: { stream, topic } });
}

/** `NOT_FOUND` for a consumer group. */
export function groupNotFound(stream: string, topic: string, group: string): NotFoundError {
  return new NotFoundError(`consumer group ${group} not found on topic ${stream}/${topic}`, {
    details: { stream, topic, group },
  });
}

/** `PARTITION_NOT_OWNED` for a group member. */
export function partitionNotOwned(
  where: { stream: string; topic: string; group: string; partition: number },
  memberId: string,
): RustokError {
  return new RustokError(
    ErrorCodes.PARTITION_NOT_OWNED,
    `member ${memberId} of group ${where.group} does not own ${where.stream}/${where.topic} partition ${where.partition}`,
    { details: { ...where, memberId } },
  );
}

/** `INVALID_OFFSET`: an offset beyond the partition's last one. */
export function invalidOffset(
  where: { stream: string; topic: string; partition: number },
  offset: bigint,
  last: bigint,
): RustokError {
  return new RustokError(
    ErrorCodes.INVALID_OFFSET,
    `offset ${offset} is beyond the last offset ${last} of ${where.stream}/${where.topic} partition ${where.partition}`,
    { details: { ...where, offset: offset.toString(), last: last.toString() } },
  );
}
