/**
 * A tiny assembler for the flat (one instruction per line) form of WebAssembly text, limited to
 * the integer, SIMD (128-bit), memory and control instructions the XXH3 module needs. It lets the hasher ship
 * as readable source instead of an opaque binary. Labels (`block $name`) and locals (`$name`)
 * are resolved by name; `;;` starts a comment.
 */

/** A value type of the subset. */
export type ValueType = 'i32' | 'i64' | 'v128';

/** One function of a module. */
export interface FunctionSource {
  name: string;
  /** Exported under `name` when true. */
  exported?: boolean;
  params: readonly (readonly [string, ValueType])[];
  result?: ValueType;
  locals?: readonly (readonly [string, ValueType])[];
  /** Flat instructions, one per line. */
  body: string;
}

const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, i64: 0x7e, v128: 0x7b };

/** Opcodes without immediates. */
const PLAIN: Record<string, number> = {
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.ne': 0x47,
  'i32.lt_u': 0x49,
  'i32.gt_u': 0x4b,
  'i32.le_u': 0x4d,
  'i32.ge_u': 0x4f,
  'i64.eqz': 0x50,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.mul': 0x6c,
  'i32.div_u': 0x6e,
  'i32.and': 0x71,
  'i32.or': 0x72,
  'i32.xor': 0x73,
  'i32.shl': 0x74,
  'i32.shr_u': 0x76,
  'i64.add': 0x7c,
  'i64.sub': 0x7d,
  'i64.mul': 0x7e,
  'i64.and': 0x83,
  'i64.or': 0x84,
  'i64.xor': 0x85,
  'i64.shl': 0x86,
  'i64.shr_u': 0x88,
  'i64.rotl': 0x89,
  'i32.wrap_i64': 0xa7,
  'i64.extend_i32_u': 0xad,
};

/** Memory instructions: opcode and natural alignment (log2). */
const MEMORY: Record<string, readonly [number, number]> = {
  'i32.load': [0x28, 2],
  'i64.load': [0x29, 3],
  'i32.load8_u': [0x2d, 0],
  'i64.load8_u': [0x31, 0],
  'i64.load32_u': [0x35, 2],
  'i32.store': [0x36, 2],
  'i64.store': [0x37, 3],
};

/** SIMD instructions (prefix 0xfd) without immediates. */
const SIMD_PLAIN: Record<string, number> = {
  'i64x2.splat': 0x12,
  'v128.and': 0x4e,
  'v128.xor': 0x51,
  'i64x2.shr_u': 0xcd,
  'i64x2.add': 0xce,
  'i64x2.mul': 0xd5,
  'i64x2.extmul_low_i32x4_u': 0xde,
};

/** SIMD memory instructions: opcode and natural alignment (log2). */
const SIMD_MEMORY: Record<string, readonly [number, number]> = {
  'v128.load': [0x00, 4],
  'v128.store': [0x0b, 4],
};

const SIMD = 0xfd;

function memarg(fn: string, line: string, args: readonly string[], align: number): number[] {
  const arg = args[0];
  if (arg !== undefined && !arg.startsWith('offset=')) fail(fn, line, 'expected offset=N');
  return [...unsigned(align), ...unsigned(arg ? Number(arg.slice(7)) : 0)];
}

function bytesOf(fn: string, line: string, values: readonly string[], count: number): number[] {
  const bytes = values.map(Number);
  if (bytes.length !== count || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 31)) fail(fn, line, 'bad lane list');
  return bytes;
}

const BLOCKS: Record<string, number> = { block: 0x02, loop: 0x03, if: 0x04 };

function unsigned(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

function signed(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...unsigned(bytes.length), ...bytes];
}

function vector(items: readonly number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function fail(fn: string, line: string, why: string): never {
  throw new Error(`wasm assembler: ${fn}: "${line}": ${why}`);
}

function assembleBody(fn: FunctionSource, functions: ReadonlyMap<string, number>): number[] {
  const locals = new Map<string, number>();
  for (const [local] of [...fn.params, ...(fn.locals ?? [])]) locals.set(local, locals.size);
  const labels: (string | undefined)[] = [];
  const code: number[] = [];
  const localIndex = (line: string, token: string | undefined): number => {
    const index = token === undefined ? undefined : locals.get(token);
    return index ?? fail(fn.name, line, `unknown local ${token}`);
  };
  for (const raw of fn.body.split('\n')) {
    const line = raw.replace(/;;.*$/, '').trim();
    if (line === '') continue;
    const [op = '', ...args] = line.split(/\s+/);
    if (op in PLAIN) {
      code.push(PLAIN[op]!);
    } else if (op in MEMORY) {
      const [opcode, align] = MEMORY[op]!;
      code.push(opcode, ...memarg(fn.name, line, args, align));
    } else if (op in SIMD_PLAIN) {
      code.push(SIMD, ...unsigned(SIMD_PLAIN[op]!));
    } else if (op in SIMD_MEMORY) {
      const [opcode, align] = SIMD_MEMORY[op]!;
      code.push(SIMD, ...unsigned(opcode), ...memarg(fn.name, line, args, align));
    } else if (op === 'i8x16.shuffle') {
      code.push(SIMD, 0x0d, ...bytesOf(fn.name, line, args, 16));
    } else if (op === 'i64x2.extract_lane') {
      code.push(SIMD, 0x1d, ...bytesOf(fn.name, line, args, 1));
    } else if (op === 'v128.const') {
      // Only the i64x2 form: two 64-bit lanes, little-endian.
      if (args[0] !== 'i64x2' || args.length !== 3) fail(fn.name, line, 'expected v128.const i64x2 A B');
      const lanes = Buffer.alloc(16);
      lanes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(args[1]!)), 0);
      lanes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(args[2]!)), 8);
      code.push(SIMD, 0x0c, ...lanes);
    } else if (op in BLOCKS) {
      const label = args.find((a) => a.startsWith('$'));
      const type = args.find((a) => !a.startsWith('$')) as ValueType | undefined;
      if (type !== undefined && !(type in TYPE_CODE)) fail(fn.name, line, 'bad block type');
      labels.push(label);
      code.push(BLOCKS[op]!, type ? TYPE_CODE[type] : 0x40);
    } else if (op === 'else') {
      code.push(0x05);
    } else if (op === 'end') {
      if (labels.length === 0) fail(fn.name, line, 'unbalanced end');
      labels.pop();
      code.push(0x0b);
    } else if (op === 'br' || op === 'br_if') {
      const depth = labels.length - 1 - labels.lastIndexOf(args[0]);
      if (depth >= labels.length) fail(fn.name, line, 'unknown label');
      code.push(op === 'br' ? 0x0c : 0x0d, ...unsigned(depth));
    } else if (op === 'local.get' || op === 'local.set' || op === 'local.tee') {
      const opcode = op === 'local.get' ? 0x20 : op === 'local.set' ? 0x21 : 0x22;
      code.push(opcode, ...unsigned(localIndex(line, args[0])));
    } else if (op === 'i32.const' || op === 'i64.const') {
      const value = BigInt(args[0] ?? fail(fn.name, line, 'missing constant'));
      const bits = op === 'i32.const' ? 32 : 64;
      code.push(op === 'i32.const' ? 0x41 : 0x42, ...signed(BigInt.asIntN(bits, value)));
    } else if (op === 'call') {
      const index = functions.get(args[0] ?? '') ?? fail(fn.name, line, 'unknown function');
      code.push(0x10, ...unsigned(index));
    } else {
      fail(fn.name, line, 'unknown instruction');
    }
  }
  if (labels.length !== 0) fail(fn.name, 'end of body', 'unclosed block');
  const declared: number[][] = (fn.locals ?? []).map(([, type]) => [1, TYPE_CODE[type]]);
  const body = [...vector(declared), ...code, 0x0b];
  return [...unsigned(body.length), ...body];
}

/** Assembles a module with one exported, growable memory (`memory`) and `functions`. */
export function assemble(functions: readonly FunctionSource[], memoryPages: number): Uint8Array {
  const indices = new Map(functions.map((f, i) => [`$${f.name}`, i]));
  const types = functions.map((f) => [
    0x60,
    ...vector(f.params.map(([, t]) => [TYPE_CODE[t]])),
    ...vector(f.result ? [[TYPE_CODE[f.result]]] : []),
  ]);
  const exports = [
    [...name('memory'), 0x02, 0x00],
    ...functions.flatMap((f, i) => (f.exported ? [[...name(f.name), 0x00, ...unsigned(i)]] : [])),
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(3, vector(functions.map((_, i) => unsigned(i)))),
    ...section(5, vector([[0x00, ...unsigned(memoryPages)]])),
    ...section(7, vector(exports)),
    ...section(10, vector(functions.map((f) => assembleBody(f, indices)))),
  ];
  return Uint8Array.from(bytes);
}
