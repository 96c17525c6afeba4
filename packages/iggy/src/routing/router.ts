import { ValidationError } from '@rustok/core';

/** Default stream name. */
export const DEFAULT_STREAM = 'rustok';
/** Topic of ordinary domain events. */
export const DOMAIN_TOPIC = 'domain';
/** Topic of platform/system events (`index.*`, `build.*`). */
export const SYSTEM_TOPIC = 'system';
/** Topic of dead letters. */
export const DLQ_TOPIC = 'dlq';

/** One routing rule: an exact type, a type prefix, or a function returning a topic (or nothing). */
export type RouteRule =
  | { exact: string; topic: string }
  | { prefix: string; topic: string }
  | { match: (eventType: string) => string | undefined | null };

/** The built-in rules: `index.*` and `build.*` go to `system`. */
export const DEFAULT_ROUTES: readonly RouteRule[] = Object.freeze([
  { prefix: 'index.', topic: SYSTEM_TOPIC },
  { prefix: 'build.', topic: SYSTEM_TOPIC },
]);

/** Picks a topic for an event type: first matching rule wins, else the fallback topic. */
export class Router {
  readonly #rules: readonly RouteRule[];
  readonly #fallback: string;

  /** `rules` are tried in order before the defaults; `fallback` defaults to `domain`. */
  constructor(rules: readonly RouteRule[] = [], fallback = DOMAIN_TOPIC) {
    this.#rules = [...rules, ...DEFAULT_ROUTES];
    this.#fallback = fallback;
  }

  /** Returns the topic an event of `eventType` is published to. */
  route(eventType: string): string {
    for (const rule of this.#rules) {
      if ('exact' in rule) {
        if (rule.exact === eventType) return rule.topic;
      } else if ('prefix' in rule) {
        if (eventType.startsWith(rule.prefix)) return rule.topic;
      } else {
        const topic = rule.match(eventType);
        if (typeof topic === 'string' && topic.length > 0) return topic;
        if (topic !== undefined && topic !== null && topic !== '') {
          throw new ValidationError(`route function returned an invalid topic for ${eventType}`, {
            details: { field: 'routes' },
          });
        }
      }
    }
    return this.#fallback;
  }

  /** Topics named by static rules and the fallback (function rules are checked at publish). */
  staticTopics(): string[] {
    const topics = new Set<string>([this.#fallback]);
    for (const rule of this.#rules) if ('topic' in rule) topics.add(rule.topic);
    return [...topics];
  }
}
