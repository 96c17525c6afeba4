import { StorageError } from '@rustok/core';
import { BATCH_HEADER_BYTES, type BatchCheck, byteViewOf, type ByteView, checkBatch, FIELD_LENGTH } from './batch-format';
import { zlibCrc } from './checksum';
import { readFully } from './file-io';
import type { Segment, SegmentDamage } from './segment';
import { SparseIndex } from './sparse-index';
import type { FileHandleLike, FileLayer, FsyncPolicy } from './types';

const SCAN_CHUNK = 1024 * 1024;

/** What recovery did to one segment. */
export interface RecoveryReport {
  /** Bytes cut from the end of the active segment (a torn or corrupt tail). */
  truncatedBytes: number;
  /** Index entries written because the index was missing or short. */
  rebuiltEntries: number;
  /** Corruption that could not be repaired by truncation (reported, never skipped). */
  damage: SegmentDamage[];
}

/** Reads a file, or returns an empty buffer when it does not exist. */
async function readIfExists(fs: FileLayer, path: string): Promise<Buffer> {
  return (await fs.exists(path)) ? fs.readFile(path) : Buffer.alloc(0);
}

/** Buffered forward reader over a log file, for batch-by-batch checks. */
class ScanReader {
  private chunk: ByteView = byteViewOf(Buffer.alloc(0));
  private start = 0;

  constructor(
    private readonly handle: FileHandleLike,
    readonly fileSize: number,
  ) {}

  /** Checks the batch at `pos` (see `checkBatch`), reading more of the file as needed. */
  async check(pos: number, expectedOffset: number): Promise<BatchCheck> {
    for (;;) {
      const rel = pos - this.start;
      const have = rel >= 0 && rel <= this.chunk.bytes.length ? this.chunk.bytes.length - rel : -1;
      if (have >= 0) {
        const result = checkBatch(this.chunk, rel, this.chunk.bytes.length, expectedOffset);
        if (result.status !== 'incomplete') return result;
        if (this.start + this.chunk.bytes.length >= this.fileSize) return result;
      }
      // Refill from `pos`, big enough for the batch when its length is already known.
      let want = SCAN_CHUNK;
      if (have >= BATCH_HEADER_BYTES) want = Math.max(want, this.chunk.view.getUint32(rel + FIELD_LENGTH, true));
      want = Math.min(want, this.fileSize - pos);
      if (want <= 0) return { status: 'incomplete' };
      const next = Buffer.allocUnsafeSlow(want);
      const got = await readFully(this.handle, next, want, pos);
      this.chunk = byteViewOf(next.subarray(0, got));
      this.start = pos;
      if (got < want) return checkBatch(this.chunk, 0, got, expectedOffset);
    }
  }
}

/** Verifies the batch an index entry points at (offset, checksum and timestamp). */
async function entryIsValid(
  handle: FileHandleLike,
  fileSize: number,
  segment: Segment,
  index: SparseIndex,
  i: number,
): Promise<boolean> {
  const position = index.position(i);
  const head = Buffer.allocUnsafe(BATCH_HEADER_BYTES);
  if ((await readFully(handle, head, BATCH_HEADER_BYTES, position)) < BATCH_HEADER_BYTES) return false;
  const length = head.readUInt32LE(FIELD_LENGTH);
  if (length < BATCH_HEADER_BYTES || position + length > fileSize) return false;
  const batch = Buffer.allocUnsafeSlow(length);
  if ((await readFully(handle, batch, length, position)) < length) return false;
  const check = checkBatch(byteViewOf(batch), 0, length, segment.baseOffset + index.relOffset(i));
  return check.status === 'ok' && check.info.timestamp === index.timestamp(i);
}

/** Fixed part of a format-1 record (length, offset, timestamps, id, lengths, trailing crc). */
const FORMAT1_OVERHEAD = 56;
/** Format 1 seeded every record's crc with the CRC-32 residue, so a whole record checksums to it. */
const FORMAT1_RESIDUE = 0x2144df1c;

/**
 * Whether the segment starts with a valid record of the unreleased format 1 (one record per
 * frame: length u32, offset u64, …, crc): such a log must be refused, not cut as a torn tail.
 */
async function startsWithFormat1(handle: FileHandleLike, fileSize: number, segment: Segment): Promise<boolean> {
  if (fileSize < FORMAT1_OVERHEAD) return false;
  const head = Buffer.allocUnsafe(12);
  if ((await readFully(handle, head, 12, 0)) < 12) return false;
  const length = head.readUInt32LE(0);
  if (length < FORMAT1_OVERHEAD || length > fileSize || head.readBigUInt64LE(4) !== BigInt(segment.baseOffset)) return false;
  const record = Buffer.allocUnsafe(length);
  if ((await readFully(handle, record, length, 0)) < length) return false;
  return zlibCrc(record, FORMAT1_RESIDUE) === FORMAT1_RESIDUE;
}

/**
 * Recovers one segment at open: trusts the log over the index. Keeps the longest consistent
 * index prefix whose last entry points at a valid batch, scans the log from there to the end
 * (batch by batch: structure, checksum, offset sequence), re-adds missing index entries, and
 * - for the active segment, truncates a torn or corrupt tail;
 * - for a closed segment, leaves the bytes and reports the damage (reads then fail there).
 * A complete batch with a bad checksum followed by a valid one is corruption, not a torn tail,
 * so it is reported and kept even in the active segment.
 */
export async function recoverSegment(
  fs: FileLayer,
  segment: Segment,
  handle: FileHandleLike,
  options: { active: boolean; intervalBytes: number; fsync: FsyncPolicy },
): Promise<RecoveryReport> {
  const report: RecoveryReport = { truncatedBytes: 0, rebuiltEntries: 0, damage: [] };
  const fileSize = await handle.size();
  const offsetFile = await readIfExists(fs, segment.indexPath);
  const timeFile = await readIfExists(fs, segment.timeIndexPath);
  const index = SparseIndex.fromFiles(offsetFile, timeFile, fileSize);
  let indexChanged = index.count * 8 !== offsetFile.length || index.count * 12 !== timeFile.length;
  while (index.count > 0 && !(await entryIsValid(handle, fileSize, segment, index, index.count - 1))) {
    index.truncate(index.count - 1);
    indexChanged = true;
  }

  const last = index.count - 1;
  let pos = last >= 0 ? index.position(last) : 0;
  let expected = last >= 0 ? segment.baseOffset + index.relOffset(last) : segment.baseOffset;
  let lastIndexed = last >= 0 ? index.position(last) : -1;
  let firstTimestamp = index.count > 0 ? index.timestamp(0) : -1;
  let maxTimestamp = -1;
  const reader = new ScanReader(handle, fileSize);
  while (pos < fileSize) {
    const check = await reader.check(pos, expected);
    if (check.status === 'ok') {
      const { info } = check;
      if (lastIndexed < 0 || pos - lastIndexed >= options.intervalBytes) {
        index.append(expected - segment.baseOffset, pos, info.timestamp);
        lastIndexed = pos;
        report.rebuiltEntries++;
        indexChanged = true;
      }
      if (firstTimestamp < 0) firstTimestamp = info.timestamp;
      if (info.timestamp > maxTimestamp) maxTimestamp = info.timestamp;
      pos += info.length;
      expected += info.count;
      continue;
    }
    if (check.status === 'bad' && pos + check.length < fileSize) {
      // A valid batch right after a bad one: the bad one is damage in place, not a torn tail.
      const next = await reader.check(pos + check.length, -1);
      if (next.status === 'ok' && next.info.baseOffset > expected) {
        report.damage.push({ position: pos, offset: expected, reason: check.reason });
        pos += check.length;
        expected = next.info.baseOffset;
        continue;
      }
    }
    if (!options.active) {
      const reason = check.status === 'incomplete' ? 'incomplete batch' : check.reason;
      report.damage.push({ position: pos, offset: expected, reason });
    }
    break;
  }

  if (pos === 0 && fileSize > 0 && (await startsWithFormat1(handle, fileSize, segment))) {
    throw new StorageError(
      `${segment.logPath} was written in storage format 1, which this version cannot read (format 2); ` +
        'move the data directory away or read it with the version that wrote it',
      { details: { file: segment.logPath } },
    );
  }
  if (options.active && pos < fileSize) {
    await handle.truncate(pos);
    if (options.fsync !== 'never') await handle.sync();
    report.truncatedBytes = fileSize - pos;
  }
  if (indexChanged) {
    await fs.writeFileAtomic(segment.indexPath, Buffer.from(index.offsetBytes()));
    await fs.writeFileAtomic(segment.timeIndexPath, Buffer.from(index.timeBytes()));
  }

  segment.size = options.active ? pos : fileSize;
  segment.lastOffset = expected - 1;
  if (maxTimestamp < 0 && index.count > 0) maxTimestamp = index.timestamp(index.count - 1);
  segment.maxTimestamp = maxTimestamp;
  if (firstTimestamp >= 0) segment.createdAtMs = Math.floor(firstTimestamp / 1000);
  segment.lastIndexedPosition = lastIndexed;
  segment.indexFlushed = index.count;
  segment.index = index;
  segment.damage = report.damage[0] ?? null;
  return report;
}
