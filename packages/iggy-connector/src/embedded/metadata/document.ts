import { z } from 'zod';

/** Format marker and version of the metadata file. */
export const METADATA_FORMAT = 'rustok-iggy-metadata';
/** Current metadata file version. */
export const METADATA_VERSION = 1;

const GroupMetaSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  createdAtMs: z.number().int().nonnegative(),
});

const TopicMetaSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  partitions: z.number().int().positive(),
  messageExpiryMs: z.number().int().positive().nullable(),
  /** Decimal string (a u64 does not fit a JSON number). */
  maxTopicBytes: z.string().regex(/^[1-9]\d*$/).nullable(),
  createdAtMs: z.number().int().nonnegative(),
  nextGroupId: z.number().int().positive(),
  groups: z.array(GroupMetaSchema),
});

const StreamMetaSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  createdAtMs: z.number().int().nonnegative(),
  nextTopicId: z.number().int().positive(),
  topics: z.array(TopicMetaSchema),
});

/** The whole metadata file: streams → topics → consumer groups, with id counters. */
export const MetadataDocumentSchema = z.object({
  format: z.literal(METADATA_FORMAT),
  version: z.literal(METADATA_VERSION),
  nextStreamId: z.number().int().positive(),
  streams: z.array(StreamMetaSchema),
});

/** The metadata file's content. */
export type MetadataDocument = z.infer<typeof MetadataDocumentSchema>;
/** One stream in the metadata file. */
export type StreamMeta = z.infer<typeof StreamMetaSchema>;
/** One topic in the metadata file. */
export type TopicMeta = z.infer<typeof TopicMetaSchema>;
/** One consumer group in the metadata file. */
export type GroupMeta = z.infer<typeof GroupMetaSchema>;

/** An empty metadata document. */
export function emptyMetadata(): MetadataDocument {
  return { format: METADATA_FORMAT, version: METADATA_VERSION, nextStreamId: 1, streams: [] };
}
