import { describe, expect, it } from 'vitest';
import { Router } from './router';

describe('Router', () => {
  it('sends index.* and build.* to system and everything else to domain', () => {
    const router = new Router();
    expect(router.route('index.rebuilt')).toBe('system');
    expect(router.route('build.finished')).toBe('system');
    expect(router.route('order.created')).toBe('domain');
    expect(router.route('indexer.started')).toBe('domain');
  });

  it('tries user rules in order before the defaults', () => {
    const router = new Router([
      { exact: 'order.created', topic: 'orders' },
      { prefix: 'order.', topic: 'orders-misc' },
      { match: (t) => (t.endsWith('.audit') ? 'audit' : undefined) },
      { prefix: 'index.special', topic: 'special' },
    ]);
    expect(router.route('order.created')).toBe('orders');
    expect(router.route('order.paid')).toBe('orders-misc');
    expect(router.route('user.audit')).toBe('audit');
    expect(router.route('index.special.x')).toBe('special');
    expect(router.route('index.other')).toBe('system');
    expect(router.route('user.created')).toBe('domain');
  });

  it('lists the topics named by static rules', () => {
    const router = new Router([{ exact: 'a.b', topic: 'x' }]);
    expect(router.staticTopics().sort()).toEqual(['domain', 'system', 'x']);
  });
});
