/**
 * XXH3-64 (seed 0) for message and batch checksums (spec §8.9), computed by a small
 * WebAssembly hasher that is compiled synchronously when this module loads (see `xxh3/`).
 */
export { frameWorkspace, stampFrames, stampWorkspace, xxh3Hash as xxh3_64 } from './xxh3/hasher';
