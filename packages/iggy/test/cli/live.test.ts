import { createEvent } from '@rustok/core';
import { EmbeddedConnector } from '@rustok/iggy-connector';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { OrderCreated } from '../../src/cli/sample/events';
import { IggyTransport } from '../../src/index';
import { jsonLines, runCli } from './run-cli';

const order = (tenantId: string, n: number) =>
  createEvent(OrderCreated, {
    tenantId,
    payload: { orderId: `${tenantId}-${n}`, customerId: 'c-1', items: 1, totalCents: n, currency: 'EUR' },
  });

describe('tail', () => {
  it('prints events published after it started, and only those', async () => {
    await using dir = await makeTempDir('rustok-cli-tail-');
    await using connector = new EmbeddedConnector({ dataDir: dir.path, fsync: { policy: 'never' } });
    await using transport = await IggyTransport.create({ connector });
    await transport.publish(order('old', 1));

    let started!: () => void;
    const following = new Promise<void>((resolve) => {
      started = resolve;
    });
    const tail = runCli(['tail', '--limit', '2', '--type', 'order.created'], {
      connector,
      onStderr: (text) => {
        if (text.includes('following')) started();
      },
    });
    await following;
    const fresh = [order('t-a', 2), order('t-b', 3)];
    await transport.publishBatch(fresh);
    const { code, stdout } = await tail;
    expect(code).toBe(0);
    expect(stdout).not.toContain('old-1');
    expect(stdout).toContain('t-a-2');
    expect(stdout).toContain('t-b-3');
  });

  it('stops cleanly when interrupted and prints JSON lines', async () => {
    await using dir = await makeTempDir('rustok-cli-tail-');
    await using connector = new EmbeddedConnector({ dataDir: dir.path, fsync: { policy: 'never' } });
    await using transport = await IggyTransport.create({ connector });
    const published = await transport.publish(order('t-json', 1));
    const interrupt = new AbortController();
    const tail = runCli(['tail', '--from', 'earliest', '--json'], { connector, signal: interrupt.signal });
    setTimeout(() => interrupt.abort(), 300);
    const { code, stdout } = await tail;
    expect(code).toBe(0);
    const [line] = jsonLines(stdout);
    expect(line).toMatchObject({ topic: 'domain', offset: String(published.offset), event: { id: published.id } });
  });
});

describe('bench', () => {
  it('publishes and consumes on a temp dir and prints figures', async () => {
    const { code, stdout, stderr } = await runCli(['bench', '--events', '300', '--tenants', '4', '--batch', '50', '--fsync', 'never', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.publish.events).toBe(300);
    expect(result.consume.events).toBe(300);
    expect(result.publish.eventsPerSecond).toBeGreaterThan(0);
    expect(Number(result.bytesOnDisk)).toBeGreaterThan(300 * 256);
    const human = await runCli(['bench', '--events', '50', '--batch', '1', '--fsync', 'never']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/PHASE\s+EVENTS\s+TIME\s+EVENTS\/S\s+MiB\/S/);
    expect(human.stdout).toMatch(/^publish\s+50\s/m);
  });
});
