import type { EventEnvelope, Logger, Metrics } from '@rustok/core';
import type { IggyConnector, PolledMessage } from '@rustok/iggy-connector';

/** Everything the DLQ writer needs to record one dead-lettered message. */
export interface DeadLetterInput {
  group: string;
  sourceTopic: string;
  partition: number;
  offset: bigint;
  /** The original message: bytes and headers as read from the log. */
  message: PolledMessage;
  error: { code: string; message: string };
  attempts: number;
  firstFailureAt: Date;
  lastFailureAt: Date;
}

/** What the consumer engine needs from the transport that hosts it. */
export interface ConsumerDeps {
  connector: IggyConnector;
  stream: string;
  /** Decodes one message of `topic`; throws a `RustokError` with code `DECODE_FAILED`. */
  decode(message: PolledMessage, topic: string): EventEnvelope;
  /** Appends one entry to the `dlq` topic. */
  deadLetter(input: DeadLetterInput): Promise<void>;
  logger: Logger;
  metrics: Metrics;
}
