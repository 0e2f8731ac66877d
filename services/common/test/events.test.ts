// The Kafka change feed against a real broker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureTopic, KafkaPublisher, KafkaSubscriber, type ChangeEvent, type ChangeHandler } from '../src/events.js';
import { kafkaBrokers, uniqueName } from '../src/testing/services.js';

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Kafka change feed', () => {
  let publisher: KafkaPublisher;
  let subscriber: KafkaSubscriber;
  const received: ChangeEvent[] = [];

  before(async () => {
    const opts = { brokers: await kafkaBrokers(), topic: uniqueName('kimap-feed-test'), clientId: 'feed-test' };
    await ensureTopic(opts);
    publisher = new KafkaPublisher(opts);
    subscriber = new KafkaSubscriber({ ...opts, groupId: uniqueName('feed-test') });
    await subscriber.subscribe((e) => received.push(e));
  });

  after(async () => {
    await subscriber.close();
    await publisher.close();
  });

  const events = (modseq: number): ChangeEvent[] =>
    Array.from({ length: 12 }, (_, i) => ({ accountId: i + 1, mailboxId: 1, modseq, kind: 'append' }));
  const got = (modseq: number) =>
    received
      .filter((e) => e.modseq === modseq)
      .map((e) => e.accountId)
      .sort((a, b) => a - b);

  test('a consumer started again goes on where it was: what was published meanwhile is not skipped', async () => {
    await publisher.publish(events(1));
    await until('the first events', () => got(1).length === 12);
    assert.ok(subscriber.healthy);
    // What a restart after a crash does: the consumer leaves, and joins its group afresh.
    const inner = subscriber as unknown as {
      consumer: { disconnect(): Promise<void> };
      handler: ChangeHandler;
      start(h: ChangeHandler): Promise<void>;
    };
    await inner.consumer.disconnect();
    await publisher.publish(events(2));
    await inner.start(inner.handler);
    await until('the events published while it was away', () => got(2).length === 12);
    assert.deepEqual(
      got(2),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    // And it goes on consuming.
    await publisher.publish(events(3));
    await until('later events', () => got(3).length === 12);
  });

  test('liveness: current as of a moment ago while consuming; an event published before that moment was handed on', async () => {
    await until('a current feed', () => subscriber.currentAsOf() > Date.now() - 1000);
    // Every event accepted before the time the feed says it is current as of has arrived.
    const sent: number[] = [];
    for (let round = 4; round < 10; round++) {
      await publisher.publish(events(round));
      sent.push(Date.now());
      await until('the feed current past the publish', () => subscriber.currentAsOf() > sent[sent.length - 1]!, 5000);
      assert.equal(got(round).length, 12, `round ${round}: current past the publish, so its events have arrived`);
    }
    // A consumer that stopped fetching (its connection lost) is not current for long.
    const inner = subscriber as unknown as {
      consumer: { disconnect(): Promise<void> };
      handler: ChangeHandler;
      start(h: ChangeHandler): Promise<void>;
    };
    const stopped = Date.now();
    await inner.consumer.disconnect();
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(subscriber.currentAsOf() < stopped + 200, `stopped: current as of ${subscriber.currentAsOf() - stopped} ms after the stop`);
    await inner.start(inner.handler);
    await until('current again once started', () => subscriber.currentAsOf() > Date.now() - 1000);
  });
});
