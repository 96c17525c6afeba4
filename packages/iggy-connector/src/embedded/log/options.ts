import { z } from 'zod';
import { DEFAULT_MAX_BATCH_BYTES, MAX_BATCH_BYTES } from './batch-format';
import { SerialQueue } from '../serial-queue';
import type { Clock, FileLayer, LogProblem } from './types';

/** Largest `segmentBytes`: positions in the index are u32, and a segment may exceed it by one batch. */
export const MAX_SEGMENT_BYTES = 2 ** 31;
/** Default `inlineWriteMaxBytes`: below this a synchronous write beats a thread-pool round trip. */
export const DEFAULT_INLINE_WRITE_BYTES = 8 * 1024;
/** Largest `inlineWriteMaxBytes`: a bigger synchronous write would hold the event loop too long. */
export const MAX_INLINE_WRITE_BYTES = 1024 * 1024;
/** Default sparse-index granularity. */
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;

/** Validation schema of `PartitionLogOptions` (numbers checked, clock and fs duck-typed). */
export const PartitionLogOptionsSchema = z.object({
  fsync: z.enum(['always', 'interval', 'never']),
  fsyncIntervalMs: z.number().int().min(1),
  segmentBytes: z.number().int().min(1).max(MAX_SEGMENT_BYTES),
  segmentMaxAgeMs: z.number().int().min(1),
  clock: z.custom<Clock>(
    (v) =>
      typeof (v as Clock | null)?.nowMs === 'function' && typeof (v as Clock | null)?.nowMicros === 'function',
    'clock must have nowMs() and nowMicros()',
  ),
  fs: z.custom<FileLayer>(
    (v) => typeof (v as FileLayer | null)?.open === 'function',
    'fs must be a FileLayer',
  ),
  indexIntervalBytes: z.number().int().min(1).max(MAX_SEGMENT_BYTES).default(DEFAULT_INDEX_INTERVAL_BYTES),
  maxBatchBytes: z.number().int().min(1).max(MAX_BATCH_BYTES).default(DEFAULT_MAX_BATCH_BYTES),
  inlineWriteMaxBytes: z.number().int().min(0).max(MAX_INLINE_WRITE_BYTES).default(DEFAULT_INLINE_WRITE_BYTES),
  /**
   * Runs the background ('interval') fsyncs of many logs one at a time, so they never occupy
   * every I/O thread at once and stall appends and reads. Without it each log syncs on its own.
   */
  syncLane: z
    .custom<SerialQueue>((v) => v instanceof SerialQueue, 'syncLane must be a SerialQueue')
    .optional(),
  onCorruption: z
    .custom<(problem: LogProblem) => void>((v) => typeof v === 'function', 'onCorruption must be a function')
    .optional(),
});

/** Options after validation and defaults. */
export type ResolvedPartitionLogOptions = z.output<typeof PartitionLogOptionsSchema>;
