import type { HeaderValue } from '@rustok/iggy-connector';
import type { DlqEntry, DlqEntryDetail, DlqFilter, RedriveReport } from '../../dlq/types';
import { type ArgValues, flagOption, intOption, stringListOption, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { UsageError } from '../errors';
import { formatBytes, formatCount, truncate } from '../format';

const HELP = `Usage: rustok-iggy dlq [summary]                 counts by status, group, type, error code
       rustok-iggy dlq list [filters] [--limit N]  entries, oldest first per DLQ partition
       rustok-iggy dlq show ID                     one entry with its headers and original payload
       rustok-iggy dlq redrive ID...               republish entries to their source topic
       rustok-iggy dlq redrive --tenant ID | --all [filters] [--force]

The dead-letter queue is append-only: a redrive republishes the ORIGINAL bytes to the source
topic (it lands after the tenant's later events) and appends a marker, so the entry then lists
as "redriven". Already redriven entries are skipped unless --force. IDs look like 3:17
(DLQ partition:offset).

Filters (summary, list, redrive):
  --tenant ID       entries of this tenant
  --type TYPE       entries of this event type; repeat or comma-separate for several
  --group NAME      entries dead-lettered by this consumer group
  --code CODE       entries with this error code
  --status STATUS   pending or redriven
Options:
  --limit N         list or redrive at most N entries
  --all             redrive every entry matching the filters (pending ones unless --force)
  --force           also redrive entries that were redriven before
  --data-dir DIR | --address HOST:PORT, --json
`;

const SUBCOMMANDS = ['summary', 'list', 'show', 'redrive'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

function filterOf(values: ArgValues): DlqFilter {
  const filter: DlqFilter = {};
  const tenantId = stringOption(values, 'tenant');
  const types = stringListOption(values, 'type');
  const group = stringOption(values, 'group');
  const errorCode = stringOption(values, 'code');
  const status = stringOption(values, 'status');
  if (tenantId !== undefined) filter.tenantId = tenantId;
  if (types.length > 0) filter.type = types;
  if (group !== undefined) filter.group = group;
  if (errorCode !== undefined) filter.errorCode = errorCode;
  if (status !== undefined) {
    if (status !== 'pending' && status !== 'redriven') {
      throw new UsageError(`--status must be pending or redriven, got ${JSON.stringify(status)}`, 'dlq');
    }
    filter.status = status;
  }
  const limit = intOption(values, 'limit', 'dlq', { min: 1 });
  if (limit !== undefined) filter.limit = limit;
  return filter;
}

function hasFilter(filter: DlqFilter): boolean {
  return Object.keys(filter).some((k) => k !== 'limit');
}

function source(entry: DlqEntry): string {
  return `${entry.source.topic}/${entry.source.partition}@${entry.source.offset}`;
}

function headerText(value: HeaderValue): string {
  if (value.kind === 'raw') return `0x${Buffer.from(value.value).toString('hex')}`;
  return String(value.value);
}

/** The payload for display: pretty JSON when it is JSON text, else base64. */
function payloadText(detail: DlqEntryDetail): { format: 'json' | 'base64'; text: string } {
  try {
    return { format: 'json', text: JSON.stringify(JSON.parse(detail.payload.toString('utf8')), null, 2) };
  } catch {
    return { format: 'base64', text: detail.payload.toString('base64') };
  }
}

async function summary(ctx: CommandContext, filter: DlqFilter): Promise<void> {
  await using session = await ctx.open();
  const s = await session.transport.dlq.summary(filter);
  if (ctx.globals.json) return ctx.json(s);
  ctx.print(`DLQ of stream ${session.transport.stream}: ${s.total} entries, ${s.pending} pending, ${s.redriven} redriven`);
  if (s.oldestPendingAt) ctx.print(`oldest pending failure: ${s.oldestPendingAt.toISOString()}`);
  if (s.unreadable > 0) ctx.print(`${s.unreadable} record(s) in the DLQ topic are not readable entries`);
  const sections: [string, Record<string, number>][] = [
    ['GROUP', s.byGroup],
    ['TYPE', s.byType],
    ['ERROR CODE', s.byErrorCode],
    ['SOURCE TOPIC', s.bySourceTopic],
  ];
  for (const [header, counts] of sections) {
    const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (rows.length === 0) continue;
    ctx.print('');
    ctx.table(
      [{ header }, { header: 'ENTRIES', align: 'right' }],
      rows.map(([key, n]) => [key, formatCount(n)]),
    );
  }
}

async function list(ctx: CommandContext, filter: DlqFilter): Promise<void> {
  await using session = await ctx.open();
  const entries = await session.transport.dlq.list(filter);
  if (ctx.globals.json) return ctx.json(entries);
  if (entries.length === 0) return ctx.print('no DLQ entries match');
  ctx.table(
    [
      { header: 'ID' },
      { header: 'STATUS' },
      { header: 'TENANT' },
      { header: 'TYPE' },
      { header: 'GROUP' },
      { header: 'SOURCE' },
      { header: 'ATTEMPTS', align: 'right' },
      { header: 'LAST FAILURE' },
      { header: 'ERROR' },
    ],
    entries.map((e) => [
      e.id,
      e.status,
      e.tenantId ?? '?',
      e.eventType ?? '?',
      e.group,
      source(e),
      String(e.attempts),
      e.lastFailureAt?.toISOString() ?? '-',
      truncate(`${e.error.code}: ${e.error.message}`, 60),
    ]),
  );
}

async function show(ctx: CommandContext, id: string): Promise<void> {
  await using session = await ctx.open();
  const detail = await session.transport.dlq.show(id);
  const payload = payloadText(detail);
  if (ctx.globals.json) {
    const { payload: bytes, ...rest } = detail;
    const parsed = payload.format === 'json' ? (JSON.parse(payload.text) as unknown) : undefined;
    return ctx.json({ ...rest, payload: bytes, ...(parsed !== undefined ? { payloadJson: parsed } : {}) });
  }
  const rows: [string, string][] = [
    ['entry', detail.id],
    ['status', detail.status],
    ['event', `${detail.eventId} (${detail.eventType ?? '?'} v${detail.schemaVersion ?? '?'})`],
    ['tenant', detail.tenantId ?? '?'],
    ['source', source(detail)],
    ['group', detail.group],
    ['error', `${detail.error.code}: ${detail.error.message}`],
    ['attempts', String(detail.attempts)],
    ['first failure', detail.firstFailureAt?.toISOString() ?? '-'],
    ['last failure', detail.lastFailureAt?.toISOString() ?? '-'],
    ['redrive count', String(detail.redriveCount)],
  ];
  for (const r of detail.redrives) {
    const target = r.target ? ` -> ${r.target.topic}/${r.target.partition}@${r.target.offset}` : '';
    rows.push(['redriven', `${r.at.toISOString()}${target} (marker ${r.markerId})`]);
  }
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) ctx.print(`${k.padEnd(labelWidth)}  ${v}`);
  ctx.print('');
  ctx.print('headers:');
  for (const [name, value] of Object.entries(detail.headers)) ctx.print(`  ${name} (${value.kind}) = ${headerText(value)}`);
  ctx.print('');
  ctx.print(`payload (${formatBytes(detail.payload.length)}, ${payload.format}):`);
  ctx.print(payload.text);
}

async function redrive(ctx: CommandContext, ids: string[], filter: DlqFilter): Promise<void> {
  const all = flagOption(ctx.values, 'all');
  const force = flagOption(ctx.values, 'force');
  if (ids.length > 0 && (all || hasFilter(filter))) {
    throw new UsageError('dlq redrive takes entry ids or filters (--tenant, --all, …), not both', 'dlq');
  }
  if (ids.length === 0 && !all && filter.tenantId === undefined) {
    throw new UsageError('dlq redrive needs entry ids, --tenant ID or --all', 'dlq');
  }
  await using session = await ctx.open();
  const report: RedriveReport = await session.transport.dlq.redrive(ids.length > 0 ? ids : filter, { force });
  if (ctx.globals.json) return ctx.json(report);
  if (report.redriven.length > 0) {
    ctx.table(
      [{ header: 'ENTRY' }, { header: 'EVENT' }, { header: 'REPUBLISHED TO' }],
      report.redriven.map((r) => [r.entryId, r.eventId, `${r.topic}/${r.partition}@${r.offset}`]),
    );
  }
  for (const s of report.skipped) ctx.print(`skipped ${s.entryId}: ${s.reason}`);
  ctx.print(`${report.redriven.length} redriven, ${report.skipped.length} skipped`);
}

/** `rustok-iggy dlq`: summary, list, show and redrive of dead letters. */
export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'dead letters: summary, list, show ID, redrive ID…|--tenant|--all',
  help: HELP,
  options: {
    tenant: { type: 'string' },
    type: { type: 'string', multiple: true },
    group: { type: 'string' },
    code: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [word = 'summary', ...args] = ctx.positionals;
    if (!(SUBCOMMANDS as readonly string[]).includes(word)) {
      throw new UsageError(`unknown dlq subcommand ${JSON.stringify(word)} (expected ${SUBCOMMANDS.join(', ')})`, 'dlq');
    }
    const sub = word as Subcommand;
    for (const id of sub === 'show' || sub === 'redrive' ? args : []) {
      if (!/^\d{1,9}:\d{1,20}$/.test(id)) {
        throw new UsageError(`${JSON.stringify(id)} is not a DLQ entry id (expected partition:offset, e.g. 3:17)`, 'dlq');
      }
    }
    const filter = filterOf(ctx.values);
    if (sub !== 'redrive' && (flagOption(ctx.values, 'all') || flagOption(ctx.values, 'force'))) {
      throw new UsageError('--all and --force apply to dlq redrive only', 'dlq');
    }
    if (sub === 'show') {
      if (args.length !== 1 || hasFilter(filter) || filter.limit !== undefined) {
        throw new UsageError('dlq show takes exactly one entry id (e.g. 3:17) and no filters', 'dlq');
      }
      return show(ctx, args[0]!);
    }
    if (sub === 'redrive') return redrive(ctx, args, filter);
    if (args.length > 0) throw new UsageError(`dlq ${sub} takes no arguments, got ${JSON.stringify(args[0])}`, 'dlq');
    if (sub === 'list') return list(ctx, filter);
    return summary(ctx, filter);
  },
};
