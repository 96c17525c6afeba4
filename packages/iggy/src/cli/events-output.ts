import type { ReplayedEvent } from '../replay/replay';
import type { CommandContext } from './command';
import { formatMicros, toJson, truncate } from './format';

/** A replayed or tailed event as a JSON record: its position plus the whole envelope. */
export function eventRecord(r: ReplayedEvent): Record<string, unknown> {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    event: r.event,
  };
}

/** One human-readable line: broker time, position, tenant, type and the payload (shortened). */
export function eventLine(r: ReplayedEvent): string {
  const position = `${r.topic}/${r.partition}@${r.offset}`;
  const payload = truncate(toJson(r.event.payload), 120);
  return `${formatMicros(r.timestamp)}  ${position.padEnd(14)}  ${r.event.tenantId.padEnd(10)}  ${r.event.type.padEnd(14)}  ${payload}`;
}

/** Prints one event as a compact JSON line (`--json`) or a human line. */
export function printEvent(ctx: CommandContext, r: ReplayedEvent): void {
  if (ctx.globals.json) ctx.jsonLine(eventRecord(r));
  else ctx.print(eventLine(r));
}
