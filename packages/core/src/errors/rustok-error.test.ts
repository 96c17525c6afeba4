import { describe, expect, it } from 'vitest';
import { ErrorCodes, isRustokError, RustokError, TimeoutError, ValidationError } from './index';

describe('RustokError', () => {
  it('carries a stable code and retriable flag', () => {
    const err = new TimeoutError('took too long');
    expect(err.code).toBe(ErrorCodes.TIMEOUT);
    expect(err.retriable).toBe(true);
    expect(err).toBeInstanceOf(RustokError);
    expect(err.name).toBe('TimeoutError');
  });

  it('is recognised across copies by brand, not by instanceof', () => {
    const foreign = new ValidationError('x');
    expect(isRustokError(foreign)).toBe(true);
    expect(isRustokError(new Error('x'))).toBe(false);
    expect(isRustokError({ code: 'VALIDATION' })).toBe(false);
  });
});
