import { checkRecord, RECORD_HEADER_BYTES, type RecordCheck } from './record-format';
import type { Segment, SegmentDamage } from './segment';
import { SparseIndex } from './sparse-index';
import { readFully } from './file-io';
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

/** Buffered forward reader over a log file, for record-by-record checks. */
class ScanReader {
  private buf = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly handle: FileHandleLike,
    readonly fileSize: number,
  ) {}

  /** Checks the record at `pos`, reading more of the file as needed. */
  async check(pos: number, expectedOffset: number): Promise<RecordCheck> {
    for (;;) {
      const rel = pos - this.start;
      const have = rel >= 0 && rel <= this.buf.length ? this.buf.length - rel : -1;
      if (have >= 0) {
        const result = checkRecord(this.buf, rel, this.buf.length, expectedOffset);
        if (result.status !== 'incomplete') return result;
        if (this.start + this.buf.length >= this.fileSize) return result;
      }
      // Refill from `pos`, big enough for the record when its length is already known.
      let want = SCAN_CHUNK;
      if (have >= 4) want = Math.max(want, this.buf.readUInt32LE(rel));
      want = Math.min(want, this.fileSize - pos);
      if (want <= 0) return { status: 'incomplete' };
      const next = Buffer.allocUnsafe(want);
      const got = await readFully(this.handle, next, want, pos);
      this.buf = next.subarray(0, got);
      this.start = pos;
      if (got < want) {
        return checkRecord(this.buf, 0, this.buf.length, expectedOffset);
      }
    }
  }
}

/** Verifies the record an index entry points at (offset, checksum and timestamp). */
async function entryIsValid(
  handle: FileHandleLike,
  fileSize: number,
  segment: Segment,
  index: SparseIndex,
  i: number,
): Promise<boolean> {
  const position = index.position(i);
  const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  if ((await readFully(handle, head, RECORD_HEADER_BYTES, position)) < RECORD_HEADER_BYTES) return false;
  const length = head.readUInt32LE(0);
  if (length < RECORD_HEADER_BYTES || position + length > fileSize) return false;
  const record = Buffer.allocUnsafe(length);
  if ((await readFully(handle, record, length, position)) < length) return false;
  const check = checkRecord(record, 0, length, segment.baseOffset + index.relOffset(i));
  return check.status === 'ok' && check.timestamp === index.timestamp(i);
}

/**
 * Recovers one segment at open: trusts the log over the index. Keeps the longest consistent
 * index prefix whose last entry points at a valid record, scans the log from there to the end
 * (record by record: length, checksum, offset sequence), re-adds missing index entries, and
 * - for the active segment, truncates a torn or corrupt tail;
 * - for a closed segment, leaves the bytes and reports the damage (reads then fail there).
 * A complete record with a bad checksum followed by a valid one is corruption, not a torn tail,
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
      if (lastIndexed < 0 || pos - lastIndexed >= options.intervalBytes) {
        index.append(expected - segment.baseOffset, pos, check.timestamp);
        lastIndexed = pos;
        report.rebuiltEntries++;
        indexChanged = true;
      }
      if (firstTimestamp < 0) firstTimestamp = check.timestamp;
      if (check.timestamp > maxTimestamp) maxTimestamp = check.timestamp;
      pos += check.length;
      expected++;
      continue;
    }
    if (check.status === 'bad' && pos + check.length < fileSize) {
      const next = await reader.check(pos + check.length, expected + 1);
      if (next.status === 'ok') {
        report.damage.push({ position: pos, offset: expected, reason: check.reason });
        pos += check.length;
        expected++;
        continue;
      }
    }
    if (!options.active) {
      const reason = check.status === 'incomplete' ? 'incomplete record' : check.reason;
      report.damage.push({ position: pos, offset: expected, reason });
    }
    break;
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
