export * from './errors/index';
export * from './hooks/index';
export type { EventEnvelope } from './envelope/types';
export type * from './transport/types';
