// The tracing switch: OTEL_TRACES_EXPORTER alone decides, and off nothing is
// started. (The spans themselves are tested across the services in e2e/test/tracing*.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTracing, tracing, tracingConfigured } from '../src/tracing.js';

test('tracing is configured by OTEL_TRACES_EXPORTER naming an exporter, unless the SDK is disabled', () => {
  assert.equal(tracingConfigured({}), false);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: '' }), false);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: 'none' }), false);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: ' None ' }), false);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: 'console' }), true);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp,console' }), true);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }), false);
  assert.equal(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false' }), true);
  // Only the exporter switches tracing on: an endpoint or a service name alone does not.
  assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'x' }), false);
});

test('off, startTracing starts nothing', async () => {
  const saved = process.env.OTEL_TRACES_EXPORTER;
  process.env.OTEL_TRACES_EXPORTER = 'none';
  try {
    assert.equal(await startTracing('kimap-test'), undefined);
    assert.equal(tracing.on, false);
  } finally {
    if (saved === undefined) delete process.env.OTEL_TRACES_EXPORTER;
    else process.env.OTEL_TRACES_EXPORTER = saved;
  }
});
