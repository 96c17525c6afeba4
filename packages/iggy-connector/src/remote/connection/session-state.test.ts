import { describe, expect, it } from 'vitest';
import { CommandCode, Operation } from '../wire/constants';
import { SessionState } from './session-state';

describe('SessionState (spec §4)', () => {
  it('applies the request-id and session rules per operation class', () => {
    const s = new SessionState();
    expect(s.client).not.toBe(0n);
    const ping = s.header(Operation.NonReplicated, CommandCode.Ping);
    expect(ping).toMatchObject({ request: 1n, session: 0n, code: 1 });
    const firstClient = s.client;
    s.beginRegister();
    expect(s.client).not.toBe(firstClient);
    expect(s.header(Operation.Register, CommandCode.LoginRegister)).toMatchObject({
      request: 0n,
      session: 0n,
      code: 0,
      operation: 1,
    });
    s.bind(77n);
    expect(s.bound).toBe(true);
    // Metadata ops consume ids 1, 2, 3; reads and partition ops reuse the current counter.
    expect(s.header(Operation.CreateStream, 0).request).toBe(1n);
    expect(s.header(Operation.NonReplicated, CommandCode.GetStream)).toMatchObject({ request: 2n, session: 77n, code: 200 });
    expect(s.header(Operation.SendMessages, 0)).toMatchObject({ request: 2n, session: 77n, code: 0 });
    expect(s.header(Operation.JoinConsumerGroup, 0).request).toBe(2n);
    expect(s.header(Operation.Logout, 0).request).toBe(3n);
    expect(s.header(Operation.NonReplicated, 1).request).toBe(4n);
    s.reset();
    expect(s.bound).toBe(false);
    expect(s.header(Operation.NonReplicated, 1)).toMatchObject({ request: 1n, session: 0n });
  });
});
