#!/usr/bin/env node
// Smoke test for the local Kafka broker with the client the services use (kafkajs):
// create a topic, produce one message, consume it from a consumer group.
//
//   KAFKA_BROKERS=127.0.0.1:19092 node scripts/services/kafka-smoke.mjs
//
// Exits non-zero on any failure; the whole run is bounded (60s).
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const id = randomUUID().slice(0, 8);
const topic = `kimap-smoke-${id}`;
const groupId = `kimap-smoke-group-${id}`;
const payload = `hello ${id}`;

const t0 = performance.now();
const ms = () => Math.round(performance.now() - t0);
const log = (msg) => console.log(`[kafka-smoke] +${ms()}ms ${msg}`);

const overall = setTimeout(() => {
  console.error('[kafka-smoke] FAILED: timed out after 60s');
  process.exit(1);
}, 60_000);
overall.unref();

const kafka = new Kafka({
  clientId: `kimap-smoke-${id}`,
  brokers,
  logLevel: logLevel.WARN,
  retry: { retries: 5, initialRetryTime: 100 },
});
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });

try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  log(`connected to ${brokers.join(',')} (cluster ${cluster.clusterId}, ${cluster.brokers.length} broker)`);

  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`createTopics returned false for ${topic}`);
  log(`created topic ${topic}`);

  await producer.connect();
  const [res] = await producer.send({ topic, messages: [{ key: 'k', value: payload }] });
  log(`produced to partition ${res.partition} offset ${res.baseOffset}`);

  const tJoin0 = performance.now();
  let joinMs;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinMs = Math.round(performance.now() - tJoin0);
    log(`joined group ${groupId} in ${joinMs}ms`);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = new Promise((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => resolve(message.value?.toString()),
      })
      .catch(reject);
  });
  const value = await received;
  if (value !== payload) throw new Error(`expected "${payload}", got "${value}"`);
  const consumeMs = Math.round(performance.now() - tJoin0);
  log(`consumed "${value}" (${consumeMs}ms from connect to message)`);

  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  log(`OK (group join ${joinMs}ms, total ${ms()}ms)`);
  console.log('1 passed, 0 failed');
  process.exit(0);
} catch (err) {
  console.error(`[kafka-smoke] FAILED: ${err?.stack ?? err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
