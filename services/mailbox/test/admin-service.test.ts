// The AdminService over a real gRPC server and PostgreSQL: every call, every
// error code, the token, and what it is not (part of the mailbox port).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAdminClient,
  createLogger,
  createMailboxClient,
  grpc,
  InProcessBus,
  type AdminServiceClient,
  type ChangeEvent,
} from '@kimap/common';
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { isLocalAddress } from '../src/admin/auth.js';
import { startMailboxService, type RunningMailboxService } from '../src/server.js';
import { authenticate } from '../src/store/accounts.js';
import { appendMessage } from '../src/store/messages.js';

const log = createLogger('test', 'silent');
const TOKEN = 'a-long-random-admin-token';

type Method = Extract<keyof AdminServiceClient, string>;

/** One unary call: resolves with the answer or rejects with the gRPC error. */
function call<Res = Record<string, unknown>>(client: AdminServiceClient, method: Method, req: object): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: object, cb: (e: grpc.ServiceError | null, v: Res) => void) => void>)[method]!.call(
      client,
      req,
      (e, v) => (e ? reject(e) : resolve(v)),
    );
  });
}

/** An answer without the loader's names of proto3 `optional` fields (`_limit: 'limit'`), which say only which are set. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.startsWith('_'))
      .map(([k, x]) => [k, plain(x)]),
  );
}

async function refused(p: Promise<unknown>, code: grpc.status, details: RegExp): Promise<void> {
  await assert.rejects(p, (e: grpc.ServiceError) => {
    assert.equal(grpc.status[e.code], grpc.status[code], e.details);
    assert.match(e.details, details);
    return true;
  });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('AdminService', () => {
  let tdb: TestDatabase;
  let svc: RunningMailboxService;
  let admin: AdminServiceClient;
  const bus = new InProcessBus();
  const events: ChangeEvent[] = [];
  const accountEvents = (accountId: number) => events.filter((e) => e.kind === 'account' && e.accountId === accountId).length;

  before(async () => {
    tdb = await createTestDatabase();
    svc = await startMailboxService({
      db: tdb.db,
      publisher: bus,
      address: '127.0.0.1:0',
      log,
      // A long poll: the events seen below are the ones the handlers publish themselves.
      relayPollMs: 60_000,
      admin: { address: '127.0.0.1:0', token: TOKEN },
    });
    await bus.subscribe((e) => events.push(e));
    admin = createAdminClient(`127.0.0.1:${svc.adminPort}`, TOKEN);
  });

  after(async () => {
    admin.close();
    await svc.stop();
    await tdb.drop();
  });

  test('tenants: add, list in pages, remove', async () => {
    const t = await call(admin, 'AddTenant', { domain: 'Example.ORG' });
    assert.deepEqual({ ...t, tenantId: 0 }, { tenantId: 0, domain: 'example.org', accounts: 0, aliases: 0 });
    await call(admin, 'AddTenant', { domain: 'b.test' });
    await call(admin, 'AddTenant', { domain: 'c.test' });
    const first = await call<{ tenants: Array<{ domain: string }>; nextPageToken: string }>(admin, 'ListTenants', { pageSize: 2 });
    assert.deepEqual(
      first.tenants.map((x) => x.domain),
      ['b.test', 'c.test'],
    );
    assert.equal(first.nextPageToken, 'c.test');
    const second = await call<{ tenants: Array<{ domain: string }>; nextPageToken: string }>(admin, 'ListTenants', {
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    assert.deepEqual(
      second.tenants.map((x) => x.domain),
      ['example.org'],
    );
    assert.equal(second.nextPageToken, '');
    assert.deepEqual(await call(admin, 'RemoveTenant', { domain: 'c.test' }), {
      accounts: 0,
      mailboxes: 0,
      messages: 0,
      bodies: 0,
      aliases: 0,
    });
  });

  test('users: add, list, passwd, disable and enable, each change published as an account event at once', async () => {
    const u = await call<{ accountId: number; address: string; disabled: boolean }>(admin, 'AddUser', {
      address: 'Ann@example.org',
      password: 'ann-password',
    });
    assert.deepEqual([u.address, u.disabled], ['ann@example.org', false]);
    await call(admin, 'AddUser', { address: 'bob@example.org', password: 'bob-password' });
    const list = await call<{ users: Array<{ address: string; messages: number }>; nextPageToken: string }>(admin, 'ListUsers', {
      domain: 'example.org',
    });
    assert.deepEqual(
      list.users.map((x) => [x.address, x.messages]),
      [
        ['ann@example.org', 0],
        ['bob@example.org', 0],
      ],
    );
    assert.equal(list.nextPageToken, '');

    await call(admin, 'SetPassword', { address: 'ann@example.org', password: 'new-ann-password' });
    assert.ok(await authenticate(tdb.db, 'ann@example.org', 'new-ann-password'));
    await until('the passwd event', () => accountEvents(u.accountId) === 1);

    const off = await call<{ disabled: boolean }>(admin, 'DisableUser', { address: 'ANN@example.org' });
    assert.equal(off.disabled, true);
    assert.equal(await authenticate(tdb.db, 'ann@example.org', 'new-ann-password'), undefined);
    await until('the disable event', () => accountEvents(u.accountId) === 2);
    const on = await call<{ disabled: boolean }>(admin, 'EnableUser', { address: 'ann@example.org' });
    assert.equal(on.disabled, false);
    await until('the enable event', () => accountEvents(u.accountId) === 3);
    assert.ok(await authenticate(tdb.db, 'ann@example.org', 'new-ann-password'));
  });

  test('aliases: add, list, resolve, remove', async () => {
    const a = await call(admin, 'AddAlias', { address: 'Sales@example.org', target: 'bob@example.org' });
    assert.deepEqual([a.address, a.target], ['sales@example.org', 'bob@example.org']);
    await call(admin, 'AddAlias', { address: '@example.org', target: 'ann@example.org' });
    const list = await call<{ aliases: Array<{ address: string; target: string }> }>(admin, 'ListAliases', { target: 'bob@example.org' });
    assert.deepEqual(
      list.aliases.map((x) => [x.address, x.target]),
      [['sales@example.org', 'bob@example.org']],
    );
    const r = await call(admin, 'ResolveAddress', { address: 'sales+leads@Example.org' });
    assert.deepEqual([r.username, r.via, r.detail, r.disabled], ['bob@example.org', 'alias', 'leads', false]);
    assert.equal((await call(admin, 'ResolveAddress', { address: 'whoever@example.org' })).via, 'catch-all');
    const removed = await call(admin, 'RemoveAlias', { address: '@example.org' });
    assert.equal(removed.target, 'ann@example.org');
    await refused(call(admin, 'ResolveAddress', { address: 'whoever@example.org' }), grpc.status.NOT_FOUND, /No account receives mail/);
  });

  test('INVALID_ARGUMENT: malformed addresses and domains, the password rule, cross-tenant aliases', async () => {
    await call(admin, 'AddTenant', { domain: 'other.test' });
    await call(admin, 'AddUser', { address: 'olga@other.test', password: 'olga-password' });
    const I = grpc.status.INVALID_ARGUMENT;
    await refused(call(admin, 'AddTenant', { domain: 'not a domain' }), I, /Not a domain name/);
    await refused(call(admin, 'AddUser', { address: 'nobody', password: 'short' }), I, /Not a mail address/);
    await refused(call(admin, 'AddUser', { address: 'new@example.org', password: '' }), I, /A password is required/);
    await refused(call(admin, 'AddUser', { address: 'new@example.org', password: 'short' }), I, /at least 8 characters/);
    await refused(call(admin, 'SetPassword', { address: 'ann@example.org', password: 'short' }), I, /at least 8 characters/);
    await refused(call(admin, 'DisableUser', { address: 'ann' }), I, /Not a mail address/);
    await refused(call(admin, 'AddAlias', { address: 'x@example.org', target: 'olga@other.test' }), I, /another tenant/);
    await refused(call(admin, 'AddAlias', { address: 'x', target: 'bob@example.org' }), I, /Not an alias/);
    await refused(call(admin, 'ListAliases', { domain: 'example.org', target: 'bob@example.org' }), I, /not both/);
    await refused(call(admin, 'ListUsers', { domain: '-bad-' }), I, /Not a domain name/);
  });

  test('NOT_FOUND and ALREADY_EXISTS', async () => {
    const N = grpc.status.NOT_FOUND;
    const E = grpc.status.ALREADY_EXISTS;
    await refused(call(admin, 'AddUser', { address: 'x@nowhere.test', password: 'short' }), N, /Tenant nowhere.test does not exist/);
    await refused(call(admin, 'ListUsers', { domain: 'nowhere.test' }), N, /Tenant nowhere.test does not exist/);
    await refused(call(admin, 'RemoveTenant', { domain: 'nowhere.test' }), N, /does not exist/);
    await refused(
      call(admin, 'SetPassword', { address: 'ghost@example.org', password: 'short' }),
      N,
      /User ghost@example.org does not exist/,
    );
    await refused(call(admin, 'EnableUser', { address: 'ghost@example.org' }), N, /does not exist/);
    await refused(call(admin, 'RemoveUser', { address: 'ghost@example.org' }), N, /does not exist/);
    await refused(call(admin, 'AddAlias', { address: 'y@example.org', target: 'ghost@example.org' }), N, /does not exist/);
    await refused(call(admin, 'RemoveAlias', { address: 'nothing@example.org' }), N, /Alias nothing@example.org does not exist/);
    await refused(call(admin, 'AddTenant', { domain: 'EXAMPLE.org' }), E, /Tenant example.org exists/);
    await refused(call(admin, 'AddUser', { address: 'bob@example.org', password: 'short' }), E, /User bob@example.org exists/);
    await refused(call(admin, 'AddUser', { address: 'sales@example.org', password: 'a-password' }), E, /is an alias of bob@example.org/);
    await refused(
      call(admin, 'AddAlias', { address: 'sales@example.org', target: 'ann@example.org' }),
      E,
      /Alias sales@example.org exists/,
    );
    await refused(call(admin, 'AddAlias', { address: 'ann@example.org', target: 'bob@example.org' }), E, /is an account/);
  });

  test('FAILED_PRECONDITION without force; with it, the removal and its events', async () => {
    const F = grpc.status.FAILED_PRECONDITION;
    const bob = (await authenticate(tdb.db, 'bob@example.org', 'bob-password'))!.account.accountId;
    await appendMessage(tdb.db, {
      accountId: bob,
      mailbox: 'INBOX',
      flags: [],
      internalDateMs: 0,
      message: Buffer.from('Subject: x\r\n\r\nx\r\n'),
    });
    await refused(call(admin, 'RemoveUser', { address: 'bob@example.org' }), F, /has 1 message; removing it needs force/);
    await refused(call(admin, 'RemoveTenant', { domain: 'example.org' }), F, /has 2 accounts; removing it needs force/);
    assert.deepEqual(await call(admin, 'RemoveUser', { address: 'bob@example.org', force: true }), {
      accounts: 1,
      mailboxes: 6,
      messages: 1,
      bodies: 1,
      aliases: 1,
    });
    await until('the removal event', () => accountEvents(bob) === 1);
    const ann = (await authenticate(tdb.db, 'ann@example.org', 'new-ann-password'))!.account.accountId;
    const removal = await call(admin, 'RemoveTenant', { domain: 'example.org', force: true });
    assert.deepEqual(removal, { accounts: 1, mailboxes: 6, messages: 0, bodies: 0, aliases: 0 });
    await until('the tenant removal event', () => accountEvents(ann) === 4);
    assert.deepEqual(
      (await call<{ tenants: Array<{ domain: string }> }>(admin, 'ListTenants', {})).tenants.map((t) => t.domain),
      ['b.test', 'other.test'],
    );
  });

  test('UNAUTHENTICATED without the token or with a wrong one', async () => {
    for (const client of [createAdminClient(`127.0.0.1:${svc.adminPort}`), createAdminClient(`127.0.0.1:${svc.adminPort}`, 'wrong')]) {
      try {
        await refused(call(client, 'ListTenants', {}), grpc.status.UNAUTHENTICATED, /admin token/);
        await refused(call(client, 'AddTenant', { domain: 'sneaky.test' }), grpc.status.UNAUTHENTICATED, /admin token/);
      } finally {
        client.close();
      }
    }
    const { rows } = await tdb.db.query("SELECT 1 FROM tenants WHERE domain = 'sneaky.test'");
    assert.equal(rows.length, 0);
  });

  test('quota: a domain default, an account override, a total; usage; bad limits', async () => {
    await call(admin, 'AddTenant', { domain: 'quota.test' });
    await call(admin, 'AddUser', { address: 'qa@quota.test', password: 'qa-password' });
    const qa = (await authenticate(tdb.db, 'qa@quota.test', 'qa-password'))!.account.accountId;
    const message = Buffer.from('Subject: q\r\n\r\nquota\r\n');
    await appendMessage(tdb.db, { accountId: qa, mailbox: 'INBOX', flags: [], internalDateMs: 0, message });

    assert.deepEqual(plain(await call(admin, 'GetUserQuota', { address: 'QA@quota.test' })), {
      address: 'qa@quota.test',
      domain: 'quota.test',
      usedBytes: message.length,
      usedMessages: 1,
      storage: { source: 'none' },
      messages: { source: 'none' },
      tenant: null,
    });
    const t = plain(
      await call(admin, 'SetTenantQuota', {
        domain: 'quota.test',
        storage: { limit: 1_000_000 },
        totalStorage: { limit: 5_000_000 },
      }),
    );
    assert.deepEqual(t, {
      domain: 'quota.test',
      accounts: 1,
      defaultStorage: 1_000_000,
      totalStorage: 5_000_000,
      usedBytes: message.length,
      usedMessages: 1,
    });
    const u = plain(await call(admin, 'SetUserQuota', { address: 'qa@quota.test', messages: { limit: 1 } })) as Record<string, unknown>;
    assert.deepEqual(
      [u.storage, u.messages],
      [
        { limit: 1_000_000, source: 'default' },
        { limit: 1, source: 'account' },
      ],
    );
    assert.deepEqual(u.tenant, { domain: 'quota.test', accounts: 0, totalStorage: 5_000_000, usedBytes: message.length, usedMessages: 1 });
    await assert.rejects(
      appendMessage(tdb.db, { accountId: qa, mailbox: 'INBOX', flags: [], internalDateMs: 0, message }),
      /Quota|quota/,
      'the limit set over the AdminService applies to the next write',
    );
    const back = plain(
      await call(admin, 'SetUserQuota', {
        address: 'qa@quota.test',
        storage: { unlimited: true },
        messages: { tenantDefault: true },
      }),
    ) as Record<string, unknown>;
    assert.deepEqual([back.storage, back.messages], [{ source: 'account' }, { source: 'none' }]);
    assert.deepEqual(
      plain(await call(admin, 'GetTenantQuota', { domain: 'Quota.Test' })),
      t,
      'GetTenantQuota answers what SetTenantQuota did',
    );

    const I = grpc.status.INVALID_ARGUMENT;
    await refused(call(admin, 'SetTenantQuota', { domain: 'quota.test', storage: { tenantDefault: true } }), I, /applies to an account/);
    await refused(call(admin, 'SetUserQuota', { address: 'qa@quota.test', storage: { limit: 2 ** 60 } }), I, /above the largest limit/);
    await refused(call(admin, 'SetUserQuota', { address: 'qa@quota.test', storage: { unlimited: false } }), I, /must be true/);
    await refused(call(admin, 'SetUserQuota', { address: 'nobody', storage: { limit: 1 } }), I, /Not a mail address/);
    const N = grpc.status.NOT_FOUND;
    await refused(call(admin, 'GetUserQuota', { address: 'ghost@quota.test' }), N, /does not exist/);
    await refused(call(admin, 'SetTenantQuota', { domain: 'nowhere.test', storage: { limit: 1 } }), N, /does not exist/);
    await refused(call(admin, 'GetTenantQuota', { domain: 'nowhere.test' }), N, /does not exist/);
  });

  test('not on the mailbox port, nor over its Multiplex stream', async () => {
    const wrongPort = createAdminClient(`127.0.0.1:${svc.port}`, TOKEN);
    try {
      await refused(call(wrongPort, 'ListTenants', {}), grpc.status.UNIMPLEMENTED, /./);
    } finally {
      wrongPort.close();
    }
    const mailbox = createMailboxClient(`127.0.0.1:${svc.port}`);
    try {
      const frames: Array<{ kind: string; code: number }> = [];
      const stream = mailbox.Multiplex();
      stream.on('data', (f: { kind: string; code: number }) => frames.push(f));
      stream.write({ id: 1, kind: 'KIND_REQUEST', method: 'AddTenant', payload: Buffer.alloc(0) });
      await until('the answer', () => frames.length > 0);
      stream.end();
      assert.equal(frames[0]!.kind, 'KIND_ERROR');
      assert.notEqual(frames[0]!.code, grpc.status.OK);
    } finally {
      mailbox.close();
    }
  });

  test('beyond loopback the service needs a token, or it does not start', async () => {
    for (const a of ['127.0.0.1:50052', 'localhost:1', '[::1]:50052', 'unix:/run/kimap/admin.sock']) assert.ok(isLocalAddress(a), a);
    for (const a of ['0.0.0.0:50052', '10.1.2.3:50052', '[::]:50052', 'mailbox:50052']) assert.ok(!isLocalAddress(a), a);
    await assert.rejects(
      startMailboxService({ db: tdb.db, publisher: bus, address: '127.0.0.1:0', log, admin: { address: '0.0.0.0:0' } }),
      /ADMIN_GRPC_LISTEN=0.0.0.0:0 is reachable from other hosts: set ADMIN_TOKEN, or listen on loopback/,
    );
    const open = await startMailboxService({
      db: tdb.db,
      publisher: bus,
      address: '127.0.0.1:0',
      log,
      admin: { address: '0.0.0.0:0', token: TOKEN },
    });
    await open.stop();
  });
});
