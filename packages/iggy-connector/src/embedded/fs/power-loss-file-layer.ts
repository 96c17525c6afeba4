import { basename, dirname, normalize } from 'node:path';
import type { FileHandleLike, FileLayer } from '../log/types';

/** One unsynced change to a file's content. */
type PendingOp = { kind: 'write'; position: number; bytes: Buffer } | { kind: 'truncate'; length: number };

/** An in-memory file: what the OS shows now, and what is on stable storage. */
export interface MemFile {
  /** Current content (page cache view). */
  data: Buffer;
  /** Content as of the last fsync. */
  durable: Buffer;
  /** Changes since the last fsync, oldest first. */
  pending: PendingOp[];
  /** Whether the directory entry is on stable storage (its directory was fsynced since creation). */
  entryDurable: boolean;
}

/** Random source in [0, 1); pass a seeded one for reproducible power cuts. */
export type Random = () => number;

/** A small deterministic PRNG (mulberry32) for tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Error with a node-style `code`. */
function fsError(code: string, path: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: ${path}`) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

/** Applies one change to a buffer, returning the new content. */
function applyOp(data: Buffer, op: PendingOp): Buffer {
  if (op.kind === 'truncate') {
    if (op.length <= data.length) return Buffer.from(data.subarray(0, op.length));
    return Buffer.concat([data, Buffer.alloc(op.length - data.length)]);
  }
  const end = op.position + op.bytes.length;
  const out = end > data.length ? Buffer.concat([data, Buffer.alloc(end - data.length)]) : Buffer.from(data);
  op.bytes.copy(out, op.position);
  return out;
}

/** Options of one simulated power cut. */
export interface PowerCutOptions {
  /**
   * How much unsynced data survives: `none` keeps only fsynced bytes; `torn` (default) also
   * keeps a random prefix of the unsynced changes, ending in a torn part of one write.
   */
  unsynced?: 'none' | 'torn';
  random?: Random;
}

/**
 * Test helper: an in-memory `FileLayer` that records, per file, what was fsynced and what was
 * only written, and can simulate a power cut (`powerCut()`): every file falls back to its fsynced
 * content plus (optionally) a random torn prefix of its unsynced writes, and files whose directory
 * entry was never fsynced disappear. The layer (and every handle it gave out) is dead afterwards,
 * like the process that used it; `powerCut()` returns a fresh layer over what survived.
 */
export class PowerLossFileLayer implements FileLayer {
  private readonly files: Map<string, MemFile>;
  private readonly dirs: Set<string>;
  private dead = false;
  /** Number of fsync calls per file path (tests assert group commit with it). */
  readonly syncCounts = new Map<string, number>();
  /** Called when a file fsync starts and when it is done (tests track what is durable). */
  onSync: ((path: string, phase: 'start' | 'done') => void) | null = null;

  constructor(files?: Map<string, MemFile>, dirs?: Set<string>) {
    this.files = files ?? new Map();
    this.dirs = dirs ?? new Set(['/']);
  }

  async open(path: string, mode: 'r' | 'r+' | 'w+' | 'a+'): Promise<FileHandleLike> {
    this.alive();
    const p = normalize(path);
    let file = this.files.get(p);
    if (file === undefined) {
      if (mode === 'r' || mode === 'r+') throw fsError('ENOENT', p);
      this.requireDir(dirname(p));
      file = { data: Buffer.alloc(0), durable: Buffer.alloc(0), pending: [], entryDurable: false };
      this.files.set(p, file);
    } else if (mode === 'w+') {
      this.change(file, { kind: 'truncate', length: 0 });
    }
    return this.handle(p, file, mode);
  }

  async readFile(path: string): Promise<Buffer> {
    this.alive();
    const file = this.files.get(normalize(path));
    if (file === undefined) throw fsError('ENOENT', path);
    return Buffer.from(file.data);
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    this.alive();
    const p = normalize(path);
    this.requireDir(dirname(p));
    const copy = Buffer.from(data);
    this.files.set(p, { data: copy, durable: Buffer.from(copy), pending: [], entryDurable: true });
  }

  async rename(from: string, to: string): Promise<void> {
    this.alive();
    const file = this.files.get(normalize(from));
    if (file === undefined) throw fsError('ENOENT', from);
    this.files.delete(normalize(from));
    file.entryDurable = false;
    this.files.set(normalize(to), file);
  }

  async unlink(path: string): Promise<void> {
    this.alive();
    if (!this.files.delete(normalize(path))) throw fsError('ENOENT', path);
  }

  async mkdir(path: string): Promise<void> {
    this.alive();
    let p = normalize(path);
    while (!this.dirs.has(p)) {
      this.dirs.add(p);
      p = dirname(p);
    }
  }

  async readdir(path: string): Promise<string[]> {
    this.alive();
    const p = normalize(path);
    this.requireDir(p);
    const names = new Set<string>();
    for (const key of [...this.files.keys(), ...this.dirs]) {
      if (key !== p && dirname(key) === p) names.add(basename(key));
    }
    return [...names].sort();
  }

  async rm(path: string): Promise<void> {
    this.alive();
    const p = normalize(path);
    for (const key of [...this.files.keys()]) if (key === p || key.startsWith(`${p}/`)) this.files.delete(key);
    for (const key of [...this.dirs]) if (key === p || key.startsWith(`${p}/`)) this.dirs.delete(key);
  }

  async exists(path: string): Promise<boolean> {
    this.alive();
    const p = normalize(path);
    return this.files.has(p) || this.dirs.has(p);
  }

  async syncDir(path: string): Promise<void> {
    this.alive();
    const p = normalize(path);
    this.requireDir(p);
    for (const [key, file] of this.files) if (dirname(key) === p) file.entryDurable = true;
  }

  /** Current content of a file (what a reader sees now). */
  contentOf(path: string): Buffer | undefined {
    return this.files.get(normalize(path))?.data;
  }

  /** Bytes written to a file but not yet fsynced. */
  unsyncedBytes(path: string): number {
    const file = this.files.get(normalize(path));
    return file === undefined ? 0 : file.pending.reduce((n, op) => n + (op.kind === 'write' ? op.bytes.length : 0), 0);
  }

  /** Simulates a power cut (see the class comment) and returns the layer after reboot. */
  powerCut(options: PowerCutOptions = {}): PowerLossFileLayer {
    this.alive();
    this.dead = true;
    const random = options.random ?? Math.random;
    const survivors = new Map<string, MemFile>();
    for (const [path, file] of this.files) {
      if (!file.entryDurable) continue;
      let data: Buffer = Buffer.from(file.durable);
      if (options.unsynced !== 'none' && file.pending.length > 0) {
        const keep = Math.floor(random() * (file.pending.length + 1));
        for (let i = 0; i < keep; i++) data = applyOp(data, file.pending[i] as PendingOp);
        const torn = file.pending[keep];
        if (torn !== undefined && torn.kind === 'write') {
          const part = Math.floor(random() * torn.bytes.length);
          data = applyOp(data, { kind: 'write', position: torn.position, bytes: torn.bytes.subarray(0, part) });
        }
      }
      survivors.set(path, { data, durable: Buffer.from(data), pending: [], entryDurable: true });
    }
    return new PowerLossFileLayer(survivors, new Set(this.dirs));
  }

  /** Flips one bit of a file's current (and durable) content, like media corruption. */
  flipBit(path: string, position: number, bit = 0): void {
    const file = this.files.get(normalize(path));
    if (file === undefined || position >= file.data.length) throw fsError('ENOENT', path);
    const flipped = ((file.data[position] as number) ^ (1 << bit)) & 0xff;
    file.data = Buffer.from(file.data);
    file.data[position] = flipped;
    if (position < file.durable.length) {
      file.durable = Buffer.from(file.durable);
      file.durable[position] = flipped;
    }
  }

  /** Throws once the power was cut: the "process" using this layer is gone. */
  private alive(): void {
    if (this.dead) throw fsError('EIO', '(power was cut)');
  }

  private requireDir(path: string): void {
    if (!this.dirs.has(path)) throw fsError('ENOENT', path);
  }

  /** Records a change: applied to the current content and queued as unsynced. */
  private change(file: MemFile, op: PendingOp): void {
    file.data = applyOp(file.data, op);
    file.pending.push(op);
  }

  private handle(path: string, file: MemFile, mode: string): FileHandleLike {
    let closed = false;
    const check = () => {
      if (closed) throw fsError('EBADF', path);
      this.alive();
    };
    const writable = mode !== 'r';
    const writeNow = (buffer: Buffer, offset: number, length: number, position: number): number => {
      check();
      if (!writable) throw fsError('EBADF', path);
      this.change(file, { kind: 'write', position, bytes: Buffer.from(buffer.subarray(offset, offset + length)) });
      return length;
    };
    return {
      read: async (buffer, offset, length, position) => {
        check();
        const n = Math.max(0, Math.min(length, file.data.length - position));
        file.data.copy(buffer, offset, position, position + n);
        return n;
      },
      write: async (buffer, offset, length, position) => writeNow(buffer, offset, length, position),
      writeSync: (buffer, offset, length, position) => writeNow(buffer, offset, length, position),
      sync: async () => {
        check();
        this.syncCounts.set(path, (this.syncCounts.get(path) ?? 0) + 1);
        this.onSync?.(path, 'start');
        // An fsync covers what was written before it started.
        const snapshot = file.data;
        const covered = file.pending.length;
        // Yield like a real fsync, so concurrent callers can queue up behind it.
        await new Promise((resolve) => setImmediate(resolve));
        check();
        file.durable = snapshot;
        file.pending = file.pending.slice(covered);
        this.onSync?.(path, 'done');
      },
      truncate: async (length) => {
        check();
        if (!writable) throw fsError('EBADF', path);
        this.change(file, { kind: 'truncate', length });
      },
      size: async () => {
        check();
        return file.data.length;
      },
      close: async () => {
        closed = true;
      },
    };
  }
}
