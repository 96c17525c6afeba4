export * from './errors/index';
export * from './hooks/index';
export type { EventEnvelope } from './envelope/types';
export { EnvelopeLimits, PLATFORM_TENANT } from './envelope/constants';
export { newEventId } from './envelope/id';
export { EventEnvelopeSchema } from './envelope/schema';
export { defineEvent, type DefineEventSpec, type EventDefinition } from './envelope/definition';
export { createEvent, type CreateEventInput } from './envelope/create';
export { EventRegistry, type RegisterOptions } from './registry/registry';
export { isValidationError, type ValidationCode, ValidationCodes } from './validation/codes';
export { validateEnvelope, type ValidateEnvelopeOptions } from './validation/validate';
export type * from './transport/types';
export { MemoryTransport } from './memory/memory-transport';
export {
  type DeadLetter,
  MemorySubscribeOptionsSchema,
  type MemorySubscribeOptions,
  MemoryTransportOptionsSchema,
  type MemoryTransportOptions,
  type ResolvedMemoryTransportOptions,
} from './memory/options';
export type {
  BackpressureChange,
  BackpressureSnapshot,
  BackpressureState,
  GroupBackpressure,
} from './memory/backpressure';
