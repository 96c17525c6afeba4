import { describe, expect, it } from 'vitest';
import { assemble, type FunctionSource } from './assembler';

interface Api {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const api = (globalThis as unknown as { WebAssembly: Api }).WebAssembly;

function load(functions: FunctionSource[]): Record<string, unknown> {
  return new api.Instance(new api.Module(assemble(functions, 1)), {}).exports;
}

describe('the flat-text WebAssembly assembler', () => {
  it('assembles locals, loops, labels, calls, memory and 64-bit constants', () => {
    const exports = load([
      { name: 'double', params: [['$x', 'i64']], result: 'i64', body: 'local.get $x\nlocal.get $x\ni64.add' },
      {
        // Sum of double(load64(p + 8i)) for i < n, plus a constant with the top bit set.
        name: 'sum',
        exported: true,
        params: [
          ['$p', 'i32'],
          ['$n', 'i32'],
        ],
        result: 'i64',
        locals: [['$acc', 'i64']],
        body: `
i64.const 0x8000000000000000
local.set $acc
block $done
  loop $next
    local.get $n
    i32.eqz
    br_if $done ;; finished
    local.get $acc
    local.get $p
    i64.load
    call $double
    i64.add
    local.set $acc
    local.get $p
    i32.const 8
    i32.add
    local.set $p
    local.get $n
    i32.const 1
    i32.sub
    local.set $n
    br $next
  end
end
local.get $acc`,
      },
    ]);
    const memory = exports.memory as { buffer: ArrayBuffer };
    const words = new BigUint64Array(memory.buffer, 64, 3);
    words.set([1n, 20n, 300n]);
    const sum = exports.sum as (p: number, n: number) => bigint;
    expect(BigInt.asUintN(64, sum(64, 3))).toBe((1n << 63n) + 642n);
    expect(exports.double).toBeUndefined();
  });

  it('assembles the SIMD subset', () => {
    const exports = load([
      {
        name: 'swapAdd',
        exported: true,
        params: [['$p', 'i32']],
        result: 'i64',
        locals: [['$v', 'v128']],
        body: `
local.get $p
v128.load
local.tee $v
local.get $v
local.get $v
i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
v128.const i64x2 5 7
i64x2.add
i64x2.add
local.set $v
local.get $v
i64x2.extract_lane 1`,
      },
    ]);
    new BigUint64Array((exports.memory as { buffer: ArrayBuffer }).buffer, 0, 2).set([10n, 200n]);
    // Lane 1: 200 + 10 (swapped lane 0) + 7.
    expect((exports.swapAdd as (p: number) => bigint)(0)).toBe(217n);
  });

  it('names the function and line of a mistake', () => {
    const bad = (body: string) => () => assemble([{ name: 'f', params: [], body }], 1);
    expect(bad('i64.frobnicate')).toThrow(/f: "i64.frobnicate": unknown instruction/);
    expect(bad('local.get $nope')).toThrow(/unknown local/);
    expect(bad('block $a\nbr $b\nend')).toThrow(/unknown label/);
    expect(bad('block')).toThrow(/unclosed block/);
    expect(bad('end')).toThrow(/unbalanced end/);
    expect(bad('call $missing')).toThrow(/unknown function/);
  });
});
