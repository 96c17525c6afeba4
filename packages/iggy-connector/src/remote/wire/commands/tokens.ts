import { bytes8, empty, name, struct, u64 } from '../codec';
import { CommandCode } from '../constants';
import { defineCommand } from './command';

/**
 * CreatePersonalAccessToken (42 → op 146): `[name][expiry u64 µs]` (0 = server default,
 * u64::MAX = never) → `[token_len u8][token]`.
 */
export const createPersonalAccessToken = defineCommand(
  'CreatePersonalAccessToken',
  CommandCode.CreatePersonalAccessToken,
  struct({ name, expiry: u64 }),
  struct({ token: bytes8 }),
);

/** DeletePersonalAccessToken (43 → op 147): `[name]`; empty response. */
export const deletePersonalAccessToken = defineCommand(
  'DeletePersonalAccessToken',
  CommandCode.DeletePersonalAccessToken,
  struct({ name }),
  empty,
);
