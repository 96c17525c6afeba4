import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { thrown, validOrder } from '../../test/fixtures';
import { createEvent } from '../envelope/create';
import { defineEvent } from '../envelope/definition';
import { ErrorCodes } from '../errors/codes';
import type { RustokError } from '../errors/rustok-error';
import { ValidationCodes } from '../validation/codes';
import { EventRegistry } from './registry';

// v1: a full name; v2: split into first/last; v3: adds a required locale.
const UserV1 = defineEvent({
  type: 'user.registered',
  version: 1,
  payload: z.object({ name: z.string() }),
});
const UserV2 = defineEvent({
  type: 'user.registered',
  version: 2,
  payload: z.object({ first: z.string(), last: z.string() }),
});
const UserV3 = defineEvent({
  type: 'user.registered',
  version: 3,
  payload: z.object({ first: z.string(), last: z.string(), locale: z.string() }),
});

function chainRegistry(): EventRegistry {
  return new EventRegistry()
    .register(UserV3)
    .register(UserV1, {
      upcastToNext: (p) => {
        const [first = '', ...rest] = p.name.split(' ');
        return { first, last: rest.join(' ') };
      },
    })
    .register(UserV2, { upcastToNext: (p) => ({ ...p, locale: 'en' }) });
}

describe('EventRegistry', () => {
  it('holds several versions per type', () => {
    const registry = chainRegistry();
    expect(registry.has('user.registered')).toBe(true);
    expect(registry.has('user.deleted')).toBe(false);
    expect(registry.versions('user.registered')).toEqual([1, 2, 3]);
    expect(registry.get('user.registered', 2)).toBe(UserV2);
    expect(registry.get('user.registered', 4)).toBeUndefined();
    expect(registry.latest('user.registered')).toBe(UserV3);
    expect(registry.latest('user.deleted')).toBeUndefined();
    expect(registry.types()).toEqual(['user.registered']);
  });

  it('refuses a second registration of the same version', () => {
    const registry = chainRegistry();
    const error = thrown(() => registry.register(UserV2)) as RustokError;
    expect(error.code).toBe(ErrorCodes.ALREADY_EXISTS);
  });

  it('validates old and new versions alike', () => {
    const registry = chainRegistry();
    const v1 = createEvent(UserV1, { tenantId: 't', payload: { name: 'Ada Lovelace' } });
    expect(registry.validate(v1)).toEqual(v1);
    const error = thrown(() => registry.validate({ ...v1, schemaVersion: 9 })) as RustokError;
    expect(error.code).toBe(ValidationCodes.UNKNOWN_VERSION);
    expect((thrown(() => registry.validate(validOrder())) as RustokError).code).toBe(
      ValidationCodes.UNKNOWN_TYPE,
    );
  });

  it('upcasts v1 → v2 → v3 through the chain', () => {
    const registry = chainRegistry();
    const v1 = createEvent(UserV1, { tenantId: 't', payload: { name: 'Ada King Lovelace' } });
    const up = registry.upcast(v1);
    expect(up).toEqual({
      ...v1,
      schemaVersion: 3,
      payload: { first: 'Ada', last: 'King Lovelace', locale: 'en' },
    });
    expect(v1.schemaVersion).toBe(1);
    expect(registry.validate(up)).toEqual(up);

    const v2 = createEvent(UserV2, { tenantId: 't', payload: { first: 'A', last: 'B' } });
    expect(registry.upcast(v2).payload).toEqual({ first: 'A', last: 'B', locale: 'en' });
    const v3 = createEvent(UserV3, { tenantId: 't', payload: { first: 'A', last: 'B', locale: 'fr' } });
    expect(registry.upcast(v3)).toBe(v3);
  });

  it('fails with UPCAST_FAILED on a missing, throwing or wrong upcaster', () => {
    const v1 = createEvent(UserV1, { tenantId: 't', payload: { name: 'Ada' } });
    const missing = new EventRegistry().register(UserV1).register(UserV2);
    expect(thrown(() => missing.upcast(v1))).toMatchObject({
      code: ErrorCodes.UPCAST_FAILED,
      details: { type: 'user.registered', fromVersion: 1, toVersion: 2 },
    });
    const throwing = new EventRegistry()
      .register(UserV1, {
        upcastToNext: () => {
          throw new Error('boom');
        },
      })
      .register(UserV2);
    const error = thrown(() => throwing.upcast(v1)) as RustokError;
    expect(error.code).toBe(ErrorCodes.UPCAST_FAILED);
    expect((error.cause as Error).message).toBe('boom');
    const wrong = new EventRegistry()
      .register(UserV1, { upcastToNext: (p) => ({ first: p.name }) })
      .register(UserV2);
    const invalid = thrown(() => wrong.upcast(v1)) as RustokError;
    expect(invalid.code).toBe(ErrorCodes.UPCAST_FAILED);
    expect((invalid.cause as RustokError).code).toBe(ValidationCodes.PAYLOAD);
  });

  it('refuses to upcast unknown types and versions', () => {
    const registry = chainRegistry();
    const v1 = createEvent(UserV1, { tenantId: 't', payload: { name: 'Ada' } });
    expect(thrown(() => registry.upcast({ ...v1, schemaVersion: 7 }))).toMatchObject({
      code: ValidationCodes.UNKNOWN_VERSION,
    });
    expect(thrown(() => registry.upcast({ ...v1, type: 'user.other' }))).toMatchObject({
      code: ValidationCodes.UNKNOWN_TYPE,
    });
  });
});
