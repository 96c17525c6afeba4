import type { FunctionSource } from './assembler';

/**
 * XXH3-64 with seed 0 and the default secret, as WebAssembly source for `assemble`, written
 * from the published XXH3 algorithm description. Memory layout: the 192-byte secret at address
 * 0 (written by the loader), inputs anywhere after it. Exports `hash(p, n)` (the digest of
 * `n` bytes at `p`) and `frames(p, count, out)` (stamps the checksums of `count` Iggy message
 * frames tiled from `p`, see below).
 */

/** The default 192-byte XXH3 secret (the `kSecret` constant of the specification). */
export const XXH3_SECRET_HEX =
  'b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671fcb79e64eccc0e578825ad07dccff7221' +
  'b8084674f743248ee03590e6813a264c3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8' +
  'a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364eac5ac8334d3ebc3c581a0fffa1363eb' +
  '170ddd51b7f0da49d316552629d4689e2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e';

/** First address free for inputs (the secret occupies 0..191). */
export const XXH3_INPUT_BASE = 256;

const P32_1 = '0x9E3779B1';
const P32_2 = '0x85EBCA77';
const P32_3 = '0xC2B2AE3D';
const P64_1 = '0x9E3779B185EBCA87';
const P64_2 = '0xC2B2AE3D27D4EB4F';
const P64_3 = '0x165667B19E3779F9';
const P64_4 = '0x85EBCA77C2B2AE63';
const P64_5 = '0x27D4EB2F165667C5';
const LOW32 = '0xFFFFFFFF';

/** Pushes the secret's 64-bit word at byte `at`. */
const secret64 = (at: number) => `i32.const 0\ni64.load offset=${at}`;

/** `$acc += mix16(<address pushed by 'address'>, secret + at)`. */
const addMix = (address: string, at: number) => `local.get $acc\n${address}\ni32.const ${at}\ncall $mix16\ni64.add\nlocal.set $acc`;
/** Pushes `$p + k`. */
const ahead = (k: number) => `local.get $p\ni32.const ${k}\ni32.add`;
/** Pushes `$p + $n - k`. */
const behind = (k: number) => `local.get $p\nlocal.get $n\ni32.add\ni32.const ${k}\ni32.sub`;

/** The four vectors holding the eight accumulators, two 64-bit lanes each. */
const vectors = [0, 1, 2, 3];

/**
 * One 64-byte stripe at `$q` with the secret at `$s`, two lanes per vector: each accumulator
 * gains its neighbour's data word (lanes swapped) and the product of the low and high 32 bits
 * of its own keyed word (`extmul` of the gathered low and high halves).
 */
const stripe = vectors
  .map(
    (j) => `local.get $q
v128.load offset=${16 * j}
local.tee $d
local.get $s
v128.load offset=${16 * j}
v128.xor
local.set $k
local.get $acc${j}
local.get $d
local.get $d
i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
i64x2.add
local.get $k
local.get $k
i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
local.get $k
local.get $k
i8x16.shuffle 4 5 6 7 12 13 14 15 4 5 6 7 12 13 14 15
i64x2.extmul_low_i32x4_u
i64x2.add
local.set $acc${j}`,
  )
  .join('\n');

/** Moves `$q` to the next stripe and `$s` to the next secret position. */
const nextStripe = `local.get $q
i32.const 64
i32.add
local.set $q
local.get $s
i32.const 8
i32.add
local.set $s`;

/** Scrambles the accumulators with the last 64 bytes of the secret. */
const scramble = vectors
  .map(
    (j) => `local.get $acc${j}
local.get $acc${j}
i32.const 47
i64x2.shr_u
v128.xor
i32.const 0
v128.load offset=${128 + 16 * j}
v128.xor
local.get $prime
i64x2.mul
local.set $acc${j}`,
  )
  .join('\n');

const initial = [P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1];

const I64 = 'i64' as const;
const I32 = 'i32' as const;
const V128 = 'v128' as const;

/** The module's functions, in index order. */
export const XXH3_FUNCTIONS: readonly FunctionSource[] = [
  {
    // Low 64 bits xor high 64 bits of the 128-bit product a × b.
    name: 'fold',
    params: [
      ['$a', I64],
      ['$b', I64],
    ],
    result: I64,
    locals: [
      ['$al', I64],
      ['$ah', I64],
      ['$bl', I64],
      ['$bh', I64],
      ['$ll', I64],
      ['$lh', I64],
      ['$cross', I64],
    ],
    body: `
local.get $a
i64.const ${LOW32}
i64.and
local.set $al
local.get $a
i64.const 32
i64.shr_u
local.set $ah
local.get $b
i64.const ${LOW32}
i64.and
local.set $bl
local.get $b
i64.const 32
i64.shr_u
local.set $bh
local.get $al
local.get $bl
i64.mul
local.set $ll
local.get $al
local.get $bh
i64.mul
local.set $lh
;; cross = (ll >> 32) + low32(lh) + ah·bl, which cannot overflow
local.get $ll
i64.const 32
i64.shr_u
local.get $lh
i64.const ${LOW32}
i64.and
i64.add
local.get $ah
local.get $bl
i64.mul
i64.add
local.set $cross
;; low half = (cross << 32) | low32(ll)
local.get $cross
i64.const 32
i64.shl
local.get $ll
i64.const ${LOW32}
i64.and
i64.or
;; high half = (lh >> 32) + (cross >> 32) + ah·bh
local.get $lh
i64.const 32
i64.shr_u
local.get $cross
i64.const 32
i64.shr_u
i64.add
local.get $ah
local.get $bh
i64.mul
i64.add
i64.xor`,
  },
  {
    // The XXH3 final mix.
    name: 'avalanche',
    params: [['$h', I64]],
    result: I64,
    body: `
local.get $h
local.get $h
i64.const 37
i64.shr_u
i64.xor
i64.const 0x165667919E3779F9
i64.mul
local.tee $h
local.get $h
i64.const 32
i64.shr_u
i64.xor`,
  },
  {
    // The XXH64 final mix (used by the 0..3-byte paths).
    name: 'avalanche64',
    params: [['$h', I64]],
    result: I64,
    body: `
local.get $h
local.get $h
i64.const 33
i64.shr_u
i64.xor
i64.const ${P64_2}
i64.mul
local.tee $h
local.get $h
i64.const 29
i64.shr_u
i64.xor
i64.const ${P64_3}
i64.mul
local.tee $h
local.get $h
i64.const 32
i64.shr_u
i64.xor`,
  },
  {
    // The 4..8-byte mix of the keyed input and the length.
    name: 'rrmxmx',
    params: [
      ['$h', I64],
      ['$len', I64],
    ],
    result: I64,
    body: `
local.get $h
local.get $h
i64.const 49
i64.rotl
local.get $h
i64.const 24
i64.rotl
i64.xor
i64.xor
i64.const 0x9FB21C651E98DF25
i64.mul
local.tee $h
local.get $h
i64.const 35
i64.shr_u
local.get $len
i64.add
i64.xor
i64.const 0x9FB21C651E98DF25
i64.mul
local.tee $h
local.get $h
i64.const 28
i64.shr_u
i64.xor`,
  },
  {
    // Byte swap of a 64-bit word.
    name: 'bswap',
    params: [['$x', I64]],
    result: I64,
    body: `
local.get $x
i64.const 0x00FF00FF00FF00FF
i64.and
i64.const 8
i64.shl
local.get $x
i64.const 8
i64.shr_u
i64.const 0x00FF00FF00FF00FF
i64.and
i64.or
local.tee $x
i64.const 0x0000FFFF0000FFFF
i64.and
i64.const 16
i64.shl
local.get $x
i64.const 16
i64.shr_u
i64.const 0x0000FFFF0000FFFF
i64.and
i64.or
i64.const 32
i64.rotl`,
  },
  {
    // 16 input bytes at $p keyed with 16 secret bytes at $s, folded.
    name: 'mix16',
    params: [
      ['$p', I32],
      ['$s', I32],
    ],
    result: I64,
    body: `
local.get $p
i64.load
local.get $s
i64.load
i64.xor
local.get $p
i64.load offset=8
local.get $s
i64.load offset=8
i64.xor
call $fold`,
  },
  {
    // Inputs of 0..16 bytes.
    name: 'short',
    params: [
      ['$p', I32],
      ['$n', I32],
    ],
    result: I64,
    locals: [
      ['$lo', I64],
      ['$hi', I64],
    ],
    body: `
local.get $n
i32.const 8
i32.gt_u
if
  local.get $p
  i64.load
  ${secret64(24)}
  ${secret64(32)}
  i64.xor
  i64.xor
  local.set $lo
  ${behind(8)}
  i64.load
  ${secret64(40)}
  ${secret64(48)}
  i64.xor
  i64.xor
  local.set $hi
  local.get $n
  i64.extend_i32_u
  local.get $lo
  call $bswap
  i64.add
  local.get $hi
  i64.add
  local.get $lo
  local.get $hi
  call $fold
  i64.add
  call $avalanche
  return
end
local.get $n
i32.const 4
i32.ge_u
if
  ${behind(4)}
  i64.load32_u
  local.get $p
  i64.load32_u
  i64.const 32
  i64.shl
  i64.add
  ${secret64(8)}
  ${secret64(16)}
  i64.xor
  i64.xor
  local.get $n
  i64.extend_i32_u
  call $rrmxmx
  return
end
local.get $n
i32.eqz
if
  ${secret64(56)}
  ${secret64(64)}
  i64.xor
  call $avalanche64
  return
end
;; 1..3 bytes: first, middle and last byte with the length
local.get $p
i32.load8_u
i32.const 16
i32.shl
local.get $p
local.get $n
i32.const 1
i32.shr_u
i32.add
i32.load8_u
i32.const 24
i32.shl
i32.or
${behind(1)}
i32.load8_u
i32.or
local.get $n
i32.const 8
i32.shl
i32.or
i64.extend_i32_u
i32.const 0
i64.load32_u
i32.const 0
i64.load32_u offset=4
i64.xor
i64.xor
call $avalanche64`,
  },
  {
    // Inputs of 17..128 bytes: pairs of 16-byte mixes from both ends.
    name: 'upTo128',
    params: [
      ['$p', I32],
      ['$n', I32],
    ],
    result: I64,
    locals: [['$acc', I64]],
    body: `
local.get $n
i64.extend_i32_u
i64.const ${P64_1}
i64.mul
local.set $acc
local.get $n
i32.const 32
i32.gt_u
if
  local.get $n
  i32.const 64
  i32.gt_u
  if
    local.get $n
    i32.const 96
    i32.gt_u
    if
      ${addMix(ahead(48), 96)}
      ${addMix(behind(64), 112)}
    end
    ${addMix(ahead(32), 64)}
    ${addMix(behind(48), 80)}
  end
  ${addMix(ahead(16), 32)}
  ${addMix(behind(32), 48)}
end
${addMix(ahead(0), 0)}
${addMix(behind(16), 16)}
local.get $acc
call $avalanche`,
  },
  {
    // Inputs of 129..240 bytes: eight mixes, a mid-way avalanche, then the rest.
    name: 'upTo240',
    params: [
      ['$p', I32],
      ['$n', I32],
    ],
    result: I64,
    locals: [
      ['$acc', I64],
      ['$i', I32],
      ['$rounds', I32],
    ],
    body: `
local.get $n
i64.extend_i32_u
i64.const ${P64_1}
i64.mul
local.set $acc
${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => addMix(ahead(16 * i), 16 * i)).join('\n')}
local.get $acc
call $avalanche
local.set $acc
local.get $n
i32.const 4
i32.shr_u
local.set $rounds
i32.const 8
local.set $i
block $done
  loop $round
    local.get $i
    local.get $rounds
    i32.ge_u
    br_if $done
    local.get $acc
    local.get $p
    local.get $i
    i32.const 4
    i32.shl
    i32.add
    local.get $i
    i32.const 4
    i32.shl
    i32.const 125 ;; 16·(i − 8) + 3
    i32.sub
    call $mix16
    i64.add
    local.set $acc
    local.get $i
    i32.const 1
    i32.add
    local.set $i
    br $round
  end
end
${addMix(behind(16), 119)}
local.get $acc
call $avalanche`,
  },
  {
    // Inputs over 240 bytes: 64-byte stripes into eight accumulators (four 128-bit vectors),
    // scrambled every 1 KiB.
    name: 'long',
    params: [
      ['$p', I32],
      ['$n', I32],
    ],
    result: I64,
    locals: [
      ...vectors.map((j) => [`$acc${j}`, V128] as const),
      ['$q', I32],
      ['$s', I32],
      ['$end', I32],
      ['$blocks', I32],
      ['$d', V128],
      ['$k', V128],
      ['$prime', V128],
    ],
    body: `
${vectors.map((j) => `v128.const i64x2 ${initial[2 * j]} ${initial[2 * j + 1]}\nlocal.set $acc${j}`).join('\n')}
i64.const ${P32_1}
i64x2.splat
local.set $prime
;; whole 1 KiB blocks: (n − 1) / 1024 of them
local.get $n
i32.const 1
i32.sub
i32.const 10
i32.shr_u
local.set $blocks
local.get $p
local.set $q
block $blocksDone
  loop $block
    local.get $blocks
    i32.eqz
    br_if $blocksDone
    local.get $q
    i32.const 1024
    i32.add
    local.set $end
    i32.const 0
    local.set $s
    loop $stripe
${stripe}
${nextStripe}
      local.get $q
      local.get $end
      i32.lt_u
      br_if $stripe
    end
${scramble}
    local.get $blocks
    i32.const 1
    i32.sub
    local.set $blocks
    br $block
  end
end
;; the whole stripes of the last block: ((n − 1) − done) / 64
local.get $q
local.get $n
i32.const 1
i32.sub
local.get $q
local.get $p
i32.sub
i32.sub
i32.const 6
i32.shr_u
i32.const 6
i32.shl
i32.add
local.set $end
i32.const 0
local.set $s
block $tailDone
  loop $tail
    local.get $q
    local.get $end
    i32.ge_u
    br_if $tailDone
${stripe}
${nextStripe}
    br $tail
  end
end
;; the last 64 bytes, with the secret at 192 − 64 − 7
${behind(64)}
local.set $q
i32.const 121
local.set $s
${stripe}
;; merge the accumulators with the secret from byte 11
local.get $n
i64.extend_i32_u
i64.const ${P64_1}
i64.mul
${vectors
  .map(
    (i) => `local.get $acc${i}
i64x2.extract_lane 0
${secret64(11 + 16 * i)}
i64.xor
local.get $acc${i}
i64x2.extract_lane 1
${secret64(19 + 16 * i)}
i64.xor
call $fold
i64.add`,
  )
  .join('\n')}
call $avalanche`,
  },
  {
    // XXH3-64 (seed 0) of the n bytes at p.
    name: 'hash',
    exported: true,
    params: [
      ['$p', I32],
      ['$n', I32],
    ],
    result: I64,
    body: `
local.get $n
i32.const 240
i32.gt_u
if
  local.get $p
  local.get $n
  call $long
  return
end
local.get $n
i32.const 128
i32.gt_u
if
  local.get $p
  local.get $n
  call $upTo240
  return
end
local.get $n
i32.const 16
i32.gt_u
if
  local.get $p
  local.get $n
  call $upTo128
  return
end
local.get $p
local.get $n
call $short`,
  },
  {
    // Stamps 'count' Iggy message frames tiled from p (48-byte header: checksum u64 at 0,
    // user-headers length u32 at 32, payload length u32 at 36; then payload and headers):
    // each frame's checksum is the hash of its bytes 8..end, written into the frame and at
    // out + 8·i. Returns the address just past the last frame.
    name: 'frames',
    exported: true,
    params: [
      ['$p', I32],
      ['$count', I32],
      ['$out', I32],
    ],
    result: I32,
    locals: [
      ['$len', I32],
      ['$sum', I64],
    ],
    body: `
block $done
  loop $frame
    local.get $count
    i32.eqz
    br_if $done
    local.get $p
    i32.load offset=32
    local.get $p
    i32.load offset=36
    i32.add
    i32.const 48
    i32.add
    local.set $len
    local.get $p
    i32.const 8
    i32.add
    local.get $len
    i32.const 8
    i32.sub
    call $hash
    local.set $sum
    local.get $p
    local.get $sum
    i64.store
    local.get $out
    local.get $sum
    i64.store
    local.get $out
    i32.const 8
    i32.add
    local.set $out
    local.get $p
    local.get $len
    i32.add
    local.set $p
    local.get $count
    i32.const 1
    i32.sub
    local.set $count
    br $frame
  end
end
local.get $p`,
  },
];
