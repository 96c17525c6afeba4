import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './run-cli';

// One seeded data dir for the whole file: `demo` with 8 orders per tenant gives 2 dead letters
// (umbrella pays every 4th order in XXX) and 10 unconsumed events (1 created + 1 paid per tenant).
let dir: TempDir;
let dataDir: string;
let seeded: {
  published: { total: number; byTopic: Record<string, number> };
  deadLetters: { added: number };
  unconsumed: number;
};
const at = (...argv: string[]) => runCli([...argv, '--data-dir', dataDir]);

beforeAll(async () => {
  dir = await makeTempDir('rustok-cli-');
  dataDir = join(dir.path, 'iggy');
  const result = await at('demo', '--orders', '8', '--json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  seeded = JSON.parse(result.stdout);
});

afterAll(async () => {
  await dir?.cleanup();
});

describe('demo', () => {
  it('seeds events on both topics, dead letters and unconsumed events', () => {
    expect(seeded.published.byTopic.domain).toBeGreaterThan(0);
    expect(seeded.published.byTopic.system).toBeGreaterThan(0);
    expect(seeded.published.total).toBe(seeded.published.byTopic.domain! + seeded.published.byTopic.system!);
    expect(seeded.deadLetters.added).toBe(2);
    expect(seeded.unconsumed).toBe(10);
  });
});

describe('topics', () => {
  it('lists topics and partitions as aligned tables', async () => {
    const { code, stdout } = await at('topics');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const header = lines.find((l) => l.startsWith('TOPIC   PARTITIONS'))!;
    expect(header).toMatch(/MESSAGES\s+SIZE\s+RETENTION\s+MAX SIZE/);
    const domain = lines.find((l) => /^domain\s+8\s/.test(l))!;
    expect(domain).toContain(String(seeded.published.byTopic.domain));
    expect(domain).toContain('30d');
    // Right-aligned numbers end in the same column as their header.
    expect(domain.indexOf(' 8 ') + 2).toBe(header.indexOf('PARTITIONS') + 'PARTITIONS'.length);
  });

  it('prints JSON with bigints as strings and per-partition counts that add up', async () => {
    const { code, stdout } = await at('topics', '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      topics: { name: string; messages: string; sizeBytes: string; partitionStats: { messages: string }[] }[];
    };
    const domain = out.topics.find((t) => t.name === 'domain')!;
    expect(domain.messages).toBe(String(seeded.published.byTopic.domain));
    expect(Number(domain.sizeBytes)).toBeGreaterThan(0);
    expect(domain.partitionStats.reduce((n, p) => n + Number(p.messages), 0)).toBe(Number(domain.messages));
    expect(out.topics.find((t) => t.name === 'dlq')!.messages).toBe('2');
  });
});

describe('replay', () => {
  it('prints the events of a tenant and type', async () => {
    const { code, stdout, stderr } = await at('replay', '--tenant', 'acme', '--type', 'order.paid');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(9); // 8 paid orders + the unconsumed one
    for (const line of lines) expect(line).toMatch(/ acme +order\.paid +\{"orderId":"acme-/);
    expect(stderr).toContain('9 event(s) replayed from domain');
  });

  it('prints JSON lines and honours --from, --to and --limit', async () => {
    const all = jsonLines((await at('replay', '--tenant', 'globex', '--json')).stdout);
    expect(all.length).toBeGreaterThan(4);
    const offsets = all.map((r) => r.offset);
    expect(offsets.every((o) => typeof o === 'string')).toBe(true);
    expect(offsets.slice(0, 3)).toEqual(['0', '1', '2']);
    const window = jsonLines((await at('replay', '--tenant', 'globex', '--from', 'offset:2', '--to', 'offset:4', '--json')).stdout);
    expect(window.map((r) => r.offset)).toEqual(['2', '3', '4']);
    const limited = jsonLines((await at('replay', '--topic', 'system', '--limit', '3', '--json')).stdout);
    expect(limited).toHaveLength(3);
    expect((limited[0]!.event as { type: string }).type).toBe('index.order-updated');
    const later = await at('replay', '--from', 'time:2999-01-01T00:00:00Z', '--json');
    expect(later).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('tail', () => {
  it('prints events from a position and stops at --limit', async () => {
    const { code, stdout } = await at('tail', '--from', 'earliest', '--tenant', 'hooli', '--limit', '3');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/domain\/\d@0 +hooli +order\.created/);
  });
});

describe('groups', () => {
  it('shows committed offset, last offset and lag per partition', async () => {
    const { code, stdout } = await at('groups', '--json');
    expect(code).toBe(0);
    const { groups } = JSON.parse(stdout) as {
      groups: { group: string; topic: string; members: number; lag: string; partitions: { committed: string | null; last: string; lag: string }[] }[];
    };
    expect(groups.map((g) => g.group)).toEqual(['billing', 'shipping']);
    for (const g of groups) {
      expect(g).toMatchObject({ topic: 'domain', members: 0, lag: String(seeded.unconsumed) });
      for (const p of g.partitions) {
        const lag = BigInt(p.last) - (p.committed === null ? -1n : BigInt(p.committed));
        expect(p.lag).toBe(String(lag));
      }
    }
    const human = await at('groups', '--group', 'billing');
    expect(human.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+COMMITTED\s+LAST\s+LAG/);
    expect(human.stdout).toMatch(new RegExp(`billing\\s+domain\\s+0\\s+${seeded.unconsumed}`));
    expect(human.stdout).not.toContain('shipping');
  });

  it('fails with NOT_FOUND for an unknown group', async () => {
    const { code, stderr } = await at('groups', '--group', 'nobody');
    expect(code).toBe(1);
    expect(stderr).toBe('rustok-iggy: error [NOT_FOUND]: consumer group nobody does not exist\n');
  });
});

describe('dlq', () => {
  it('summarises, lists, shows and redrives dead letters', async () => {
    const summary = JSON.parse((await at('dlq', '--json')).stdout);
    expect(summary).toMatchObject({ total: 2, pending: 2, redriven: 0, byGroup: { billing: 2 } });

    const list = await at('dlq', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+STATUS\s+TENANT\s+TYPE/);
    expect(list.stdout.match(/pending\s+umbrella\s+order\.paid\s+billing/g)).toHaveLength(2);
    const entries = JSON.parse((await at('dlq', 'list', '--tenant', 'umbrella', '--json')).stdout) as {
      id: string;
      eventId: string;
      offset: string;
    }[];
    expect(entries).toHaveLength(2);
    expect(typeof entries[0]!.offset).toBe('string');

    const show = await at('dlq', 'show', entries[0]!.id);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('HANDLER_FAILED: unsupported currency XXX');
    expect(show.stdout).toContain('"currency": "XXX"');
    const detail = JSON.parse((await at('dlq', 'show', entries[0]!.id, '--json')).stdout);
    expect(detail.payloadJson.id).toBe(entries[0]!.eventId);

    const one = await at('dlq', 'redrive', entries[0]!.id, '--json');
    expect(JSON.parse(one.stdout).redriven.map((r: { eventId: string }) => r.eventId)).toEqual([entries[0]!.eventId]);
    const rest = await at('dlq', 'redrive', '--tenant', 'umbrella');
    expect(rest.stdout).toContain('1 redriven, 1 skipped');
    expect(rest.stdout).toContain(`skipped ${entries[0]!.id}: already-redriven`);
    expect(JSON.parse((await at('dlq', 'summary', '--json')).stdout)).toMatchObject({ pending: 0, redriven: 2 });
    expect((await at('dlq', 'list', '--status', 'pending')).stdout).toBe('no DLQ entries match\n');
    // The redriven events are back in the source topic with their original ids.
    const replayed = jsonLines((await at('replay', '--tenant', 'umbrella', '--type', 'order.paid', '--json')).stdout);
    const ids = replayed.map((r) => (r.event as { id: string }).id);
    for (const e of entries) expect(ids.filter((id) => id === e.eventId)).toHaveLength(2);
  });

  it('rejects malformed redrive and show command lines with exit code 2', async () => {
    expect((await at('dlq', 'redrive')).code).toBe(2);
    expect((await at('dlq', 'redrive', '1:2', '--all')).code).toBe(2);
    expect((await at('dlq', 'show')).code).toBe(2);
    expect((await at('dlq', 'show', 'nope')).code).toBe(2);
    expect((await at('dlq', 'purge')).code).toBe(2);
    const missing = await at('dlq', 'show', '7:999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[NOT_FOUND]');
  });
});
