export { tenantPartition } from './tenant-partition';
export { xxhash32, xxhash32String } from './xxhash32';
