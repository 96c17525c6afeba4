import { bytes8, bytes32, type Codec, empty, name, struct, u32, u64 } from '../codec';
import { CommandCode } from '../constants';
import { Reader } from '../io';
import { custom, defineCommand } from './command';

/**
 * LoginRegister body (code 40, operation Register; spec §5.3). The password travels as raw
 * bytes: the caller reveals its secret only into this structure.
 */
const loginRegisterBody = struct({
  protocolVersion: u32,
  sdkName: name,
  sdkVersion: name,
  username: name,
  password: bytes8,
  context: bytes32,
});

/** LoginRegisterWithPat body (code 45, operation Register; spec §5.4). */
const loginPatBody = struct({
  protocolVersion: u32,
  sdkName: name,
  sdkVersion: name,
  token: bytes8,
  context: bytes32,
});

/** The login reply payload after the result section (spec §5.5). */
const loginReply = struct({ userId: u32, session: u64, serverProtocol: u32, serverVersion: name });

/** A decoded LoginRegister request. */
export type LoginRegisterRequest = typeof loginRegisterBody extends Codec<infer T> ? T : never;
/** A decoded LoginRegisterWithPat request. */
export type LoginPatRequest = typeof loginPatBody extends Codec<infer T> ? T : never;
/** A decoded login reply. */
export type LoginReply = typeof loginReply extends Codec<infer T> ? T : never;

/** Login with username and password. */
export const loginRegister = defineCommand('LoginRegister', CommandCode.LoginRegister, loginRegisterBody, loginReply);

/** Login with a personal access token. */
export const loginRegisterWithPat = defineCommand(
  'LoginRegisterWithPat',
  CommandCode.LoginRegisterWithPat,
  loginPatBody,
  loginReply,
);

/**
 * Any Register body, as a server decodes it: the version prefix, then the username/password
 * shape if it fits exactly, else the PAT shape (spec §5.4). For test peers.
 */
export const registerBody: Codec<
  { kind: 'password'; value: LoginRegisterRequest } | { kind: 'token'; value: LoginPatRequest }
> = custom(
  (w, v) => {
    if (v.kind === 'password') loginRegisterBody.write(w, v.value);
    else loginPatBody.write(w, v.value);
  },
  (r) => {
    const all = r.rest();
    try {
      const inner = new Reader(all, 'LoginRegister request');
      const value = loginRegisterBody.read(inner);
      inner.end();
      return { kind: 'password', value };
    } catch {
      const inner = new Reader(all, 'LoginRegisterWithPat request');
      const value = loginPatBody.read(inner);
      inner.end();
      return { kind: 'token', value };
    }
  },
);

/** LogoutUser (code 39, operation Logout): empty both ways. */
export const logout = defineCommand('LogoutUser', CommandCode.LogoutUser, empty, empty);
