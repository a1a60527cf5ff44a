import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { EventLog, type AppEvent, type Config } from '@orchestrator/shared';
import type { EventHub, EventListener } from './event-hub.js';
import { Subscription, type EventSink } from './subscription.js';
import { compareStreamIds } from './stream-id.js';
import { cleanup, newRedis, testConfig } from '../testing/harness.js';

let redis: Redis;
let config: Config;
let log: EventLog;
let outputPath: string;

/** A hub whose live events the test pushes by hand. */
function fakeHub(): { hub: EventHub; push: (events: AppEvent[]) => void } {
  const listeners = new Set<EventListener>();
  const hub = { log, subscribe: (l: EventListener) => (listeners.add(l), () => listeners.delete(l)) } as unknown as EventHub;
  return { hub, push: (events) => listeners.forEach((l) => l(events)) };
}

function sink(backlog = () => 0) {
  const sent: AppEvent[] = [];
  const closed: string[] = [];
  let resyncs = 0;
  const s: EventSink = { send: (e) => sent.push(e), resync: () => resyncs++, backlog, close: (r) => closed.push(r) };
  return { s, sent, closed, resyncs: () => resyncs };
}

const ev = (id: string): AppEvent => ({ id, type: 'job.preview', at: new Date().toISOString(), data: { jobId: 'x', dataUrl: 'data:,' } });

beforeAll(async () => {
  ({ config, outputPath } = await testConfig('subscription'));
  redis = newRedis();
  log = new EventLog(redis, config.keyPrefix);
});

afterAll(async () => {
  await cleanup(redis, config, outputPath);
  redis.disconnect();
});

describe('Subscription', () => {
  it('orders stream ids numerically, beyond 2^53 too', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('99999999999999999-1', '99999999999999999-1')).toBe(0);
    expect(compareStreamIds('99999999999999999-2', '99999999999999998-9')).toBe(1);
  });

  it('delivers live events that arrived during catch-up once, after the caught-up ones', async () => {
    const a = await log.append({ type: 'job.preview', data: { jobId: 'a', dataUrl: 'data:,' } });
    const b = await log.append({ type: 'job.preview', data: { jobId: 'b', dataUrl: 'data:,' } });
    const { hub, push } = fakeHub();
    const out = sink();
    const sub = new Subscription(hub, out.s);
    // The hub delivers b (already in the stream) and a later c while the catch-up is still running.
    push([ev(b), ev('99999999999999-0')]);
    await sub.start(a);
    expect(out.sent.map((e) => e.id)).toEqual([b, '99999999999999-0']);
    push([ev(b), ev('99999999999999-1')]);
    expect(out.sent.map((e) => e.id)).toEqual([b, '99999999999999-0', '99999999999999-1']);
    sub.stop();
  });

  it('asks for a resync when since is newer than the stream (another Redis), then follows live events', async () => {
    const { hub, push } = fakeHub();
    const out = sink();
    const sub = new Subscription(hub, out.s);
    await sub.start('9999999999999999-0');
    expect(out.resyncs()).toBe(1);
    const next = await log.append({ type: 'job.preview', data: { jobId: 'n', dataUrl: 'data:,' } });
    push([ev(next)]);
    expect(out.sent.map((e) => e.id)).toEqual([next]);
    sub.stop();
  });

  it('sends everything kept for since=0-0 without a resync', async () => {
    const { hub } = fakeHub();
    const out = sink();
    const sub = new Subscription(hub, out.s, { maxBacklogBytes: 1000, maxBufferedEvents: 100, catchUpBatch: 1 });
    await sub.start('0-0');
    expect(out.resyncs()).toBe(0);
    expect(out.sent.length).toBeGreaterThanOrEqual(2);
    sub.stop();
  });

  it('drops a live client whose unflushed bytes exceed the limit', async () => {
    const { hub, push } = fakeHub();
    let backlog = 0;
    const out = sink(() => backlog);
    const sub = new Subscription(hub, out.s, { maxBacklogBytes: 1000, maxBufferedEvents: 100, catchUpBatch: 10 });
    await sub.start(undefined);
    push([ev('99999999999999-5')]);
    expect(out.closed).toEqual([]);
    backlog = 5000;
    push([ev('99999999999999-6')]);
    expect(out.closed).toEqual(['client too slow']);
    push([ev('99999999999999-7')]);
    expect(out.sent.map((e) => e.id)).toEqual(['99999999999999-5', '99999999999999-6']);
  });

  it('abandons a catch-up that buffers too many live events', async () => {
    const { hub, push } = fakeHub();
    const out = sink();
    const sub = new Subscription(hub, out.s, { maxBacklogBytes: 1000, maxBufferedEvents: 3, catchUpBatch: 10 });
    push([ev('1-1'), ev('1-2'), ev('1-3'), ev('1-4')]);
    expect(out.closed).toEqual(['too many events during catch-up']);
    await sub.start('0-0');
    expect(out.sent).toEqual([]);
  });
});
