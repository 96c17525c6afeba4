export { DeadLetterQueue, type DeadLetterQueueDeps } from './dead-letter-queue';
export { DLQ_HEADER_PREFIX, DlqHeaders, MAX_ERROR_MESSAGE_BYTES } from './dlq-headers';
export type {
  DlqEntry,
  DlqEntryDetail,
  DlqFilter,
  DlqRedrive,
  DlqSummary,
  RedriveOptions,
  RedriveReport,
} from './types';
export { createDeadLetterWriter, type DlqTarget } from './writer';
