// What the mailbox service answers while PostgreSQL cannot be reached:
// UNAVAILABLE (IMAP NO [UNAVAILABLE], try again), never an internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, grpc, IMAP_CODE_METADATA_KEY } from '@kimap/common';
import { toServiceError } from '../src/rpc/handler.js';

const log = createLogger('test');
log.level = 'silent';

const lost = [
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  new Error('Connection terminated unexpectedly'),
  new Error('Client has encountered a connection error and is not queryable'),
];

test('a database that cannot be reached is UNAVAILABLE, with the IMAP code UNAVAILABLE', () => {
  for (const err of lost) {
    const e = toServiceError(err, log, 'Append');
    assert.equal(e.code, grpc.status.UNAVAILABLE, err.message);
    assert.deepEqual(e.metadata?.get(IMAP_CODE_METADATA_KEY), ['UNAVAILABLE']);
  }
});

test('any other failure stays an internal error (SERVERBUG)', () => {
  const e = toServiceError(Object.assign(new Error('duplicate key'), { code: '23505' }), log, 'Append');
  assert.equal(e.code, grpc.status.INTERNAL);
  assert.deepEqual(e.metadata?.get(IMAP_CODE_METADATA_KEY), ['SERVERBUG']);
});
