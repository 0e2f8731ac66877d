// Shared mailboxes across the cluster: two edges, each with its own mailbox
// service, PostgreSQL and Kafka, separate processes; the owner works through
// one edge and the grantee through the other. The edges poll only every ten
// minutes, so whatever a session learns of the other edge's changes came
// through Kafka.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureTopic } from '@kimap/common';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@kimap/common/testing/services';
import { addUser } from '@kimap/mailbox';
import { freePort, startService, tempDir, waitForMetric, type ServiceProcess } from '../src/cluster.js';
import { appendSync, ImapClient } from '../../services/imap-edge/test/support/imap-client.js';

const PASS = 'acl-password';
const msg = (subject: string) => Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\n\r\n${subject}\r\n`);

describe('shared mailboxes across two edges (PostgreSQL, Kafka, separate processes)', () => {
  let tdb: TestDatabase;
  const procs: ServiceProcess[] = [];
  const ports: number[] = [];
  const dir = tempDir('kimap-acl-');
  const clients: ImapClient[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-acl');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'e2e-setup' });
    const common = { DATABASE_URL: tdb.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic };
    for (const i of [0, 1]) {
      const grpcPort = await freePort();
      procs.push(await startService(`mailbox-${i}`, 'services/mailbox/src/main.ts', { ...common, GRPC_LISTEN: `127.0.0.1:${grpcPort}` }));
      const port = await freePort();
      const edge = await startService(`edge-${i}`, 'services/imap-edge/src/main.ts', {
        ...common,
        MAILBOX_ADDRESS: `127.0.0.1:${grpcPort}`,
        KAFKA_GROUP_ID: uniqueName(`acl-edge-${i}`),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(port),
        IMAPS_PORT: String(await freePort()),
        DATA_DIR: dir.path,
        ALLOW_PLAINTEXT_AUTH: 'true',
        CHANGE_POLL_INTERVAL_MS: '600000',
      });
      procs.push(edge);
      await waitForMetric(edge, 'kimap_change_feed_up', (v) => v === 1);
      ports.push(port);
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    await Promise.all(procs.map((p) => p.stop()));
    await tdb?.drop();
    dir.remove();
  });

  async function login(edge: number, user: string): Promise<ImapClient> {
    const { client } = await ImapClient.connect(ports[edge]!);
    clients.push(client);
    assert.match((await client.command('l', `LOGIN ${user} ${PASS}`)).tagged, /^l OK/);
    return client;
  }

  /** An owner (on edge 0) who shares INBOX, with two messages, with a grantee (on edge 1). */
  async function pair(rights: string) {
    const owner = `${uniqueName('owner')}@example.test`;
    const grantee = `${uniqueName('grantee')}@example.test`;
    await addUser(tdb.db, owner, PASS, { createTenant: true });
    await addUser(tdb.db, grantee, PASS, { createTenant: true });
    const o = await login(0, owner);
    await appendSync(o, 'a', 'INBOX', msg('one'));
    await appendSync(o, 'b', 'INBOX', msg('two'));
    assert.equal((await o.command('g', `SETACL INBOX ${grantee} ${rights}`)).tagged, 'g OK SETACL completed');
    return { owner, grantee, o, name: `"Other Users/${owner}/INBOX"` };
  }

  /** The next untagged line other than keep-alives. */
  async function next(c: ImapClient, timeoutMs = 10_000): Promise<string> {
    for (;;) {
      const line = (await c.readLine(timeoutMs)).text;
      if (!line.startsWith('* OK Still here')) return line;
    }
  }

  test('a grant made through one edge is used through the other', async () => {
    const { owner, grantee, name } = await pair('lrs');
    const g = await login(1, grantee);
    assert.deepEqual((await g.command('a', 'LIST "" "Other Users/*"')).untagged, [
      `* LIST (\\Noselect \\HasChildren) "/" "Other Users/${owner}"`,
      `* LIST (\\HasNoChildren) "/" "Other Users/${owner}/INBOX"`,
    ]);
    const r = await g.command('b', `SELECT ${name}`);
    assert.equal(r.tagged, 'b OK [READ-WRITE] SELECT completed');
    assert.ok(r.untagged.includes('* 2 EXISTS'));
    assert.deepEqual((await g.command('c', `MYRIGHTS ${name}`)).untagged, [`* MYRIGHTS "Other Users/${owner}/INBOX" lrs`]);
  });

  test("\\Seen stays each user's own, across edges; the grantee's other session hears of its \\Seen", async () => {
    const { grantee, o, name } = await pair('lrsw');
    const g = await login(1, grantee);
    const g2 = await login(0, grantee);
    await g.command('a', `SELECT ${name}`);
    await g2.command('b', `SELECT ${name} (CONDSTORE)`);
    g2.send('i IDLE\r\n');
    assert.equal((await g2.readLine()).text, '+ idling');
    await o.command('c', 'SELECT INBOX');
    assert.match((await g.command('d', 'FETCH 1 (BODY[TEXT])')).tagged, /^d OK/);
    // The grantee's session on the other edge, through Kafka.
    assert.match(await next(g2), /^\* 1 FETCH \(FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    g2.send('DONE\r\n');
    await g2.readTagged('i');
    // The owner's \Seen is untouched; its \Flagged is shared.
    assert.deepEqual([...new Set((await o.command('e', 'FETCH 1:2 FLAGS')).untagged)], ['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS ())']);
    await o.command('f', 'STORE 2 +FLAGS (\\Seen \\Flagged)');
    const seen = (await g.command('g', 'FETCH 1:2 FLAGS')).untagged;
    // g's read-write SELECT was the first to see both messages: \Recent to it.
    assert.ok(
      seen.includes('* 1 FETCH (FLAGS (\\Seen \\Recent))') && seen.includes('* 2 FETCH (FLAGS (\\Flagged \\Recent))'),
      seen.join('\n'),
    );
    assert.match((await o.command('h', 'STATUS INBOX (UNSEEN)')).untagged[0]!, /UNSEEN 1\)/);
    assert.match((await g.command('i', `STATUS ${name} (UNSEEN)`)).untagged[0]!, /UNSEEN 1\)/);
  });

  test('each command a right is missing for is refused', async () => {
    const { owner, grantee, name } = await pair('lrs');
    const g = await login(1, grantee);
    const no = async (command: string, code = 'NOPERM') => {
      const r = await g.command('t', command);
      assert.match(r.tagged, new RegExp(`^t NO \\[${code}\\] `), `${command}: ${r.tagged}`);
    };
    await appendSync(g, 'p', 'INBOX', msg('mine'));
    assert.match((await appendSync(g, 'q', name, msg('theirs'))).tagged, /^q NO \[NOPERM\] /); // i
    await no(`CREATE "Other Users/${owner}/INBOX/Sub"`); // k
    await no(`DELETE "Other Users/${owner}/INBOX"`, 'CANNOT'); // INBOX is never deleted
    await no(`RENAME "Other Users/${owner}/INBOX" "Other Users/${owner}/Old"`); // x
    await no(`SETACL ${name} anyone lr`); // a
    await no(`GETACL ${name}`); // a
    await no(`LISTRIGHTS ${name} anyone`); // a
    await g.command('s', 'SELECT INBOX');
    await no(`COPY 1 ${name}`); // i
    await g.command('u', `SELECT ${name}`);
    await no('STORE 1 +FLAGS (\\Flagged)'); // w
    await no('STORE 1 +FLAGS (\\Deleted)'); // t
    await no('EXPUNGE'); // e
    await no('MOVE 1 INBOX'); // t, e
    assert.equal((await g.command('v', 'STORE 1 +FLAGS (\\Seen)')).tagged, 'v OK STORE completed'); // s
    const { grantee: lookOnly, name: name2 } = await pair('l');
    const l = await login(1, lookOnly);
    for (const command of [`SELECT ${name2}`, `EXAMINE ${name2}`, `STATUS ${name2} (MESSAGES)`]) {
      assert.match((await l.command('t', command)).tagged, /^t NO \[NOPERM\] /, command); // r
    }
  });

  test("the grantee's IDLE on one edge is woken by the owner's changes on the other", async () => {
    const { grantee, o, name } = await pair('lr');
    const g = await login(1, grantee);
    await g.command('a', `EXAMINE ${name}`);
    g.send('i IDLE\r\n');
    assert.equal((await g.readLine()).text, '+ idling');
    await appendSync(o, 'b', 'INBOX', msg('three'));
    assert.equal(await next(g), '* 3 EXISTS');
    // Read-only: unclaimed when it learned of them, so the messages are \Recent to it (RFC 3501 6.3.2).
    assert.equal(await next(g), '* 3 RECENT');
    await o.command('c', 'SELECT INBOX');
    await o.command('d', 'STORE 1 +FLAGS (\\Deleted)');
    assert.equal(await next(g), '* 1 FETCH (FLAGS (\\Deleted \\Recent))');
    await o.command('e', 'EXPUNGE');
    assert.equal(await next(g), '* 1 EXPUNGE');
    g.send('DONE\r\n');
    assert.equal((await g.readTagged('i')).tagged, 'i OK IDLE terminated');
  });

  test('revoking a grant ends the sessions that have the mailbox selected, on the other edge', async () => {
    const { grantee, o, name } = await pair('lr');
    const idler = await login(1, grantee);
    const other = await login(1, grantee);
    await idler.command('a', `EXAMINE ${name}`);
    await other.command('b', `EXAMINE ${name}`);
    idler.send('i IDLE\r\n');
    assert.equal((await idler.readLine()).text, '+ idling');
    await o.command('c', `DELETEACL INBOX ${grantee}`);
    assert.equal(await next(idler), '* BYE Access to the selected mailbox was revoked, please reconnect');
    assert.ok(await idler.waitClosed(5000));
    await other.command('d', 'NOOP').catch(() => undefined);
    assert.match(other.transcript, /\* BYE Access to the selected mailbox was revoked/);
    const again = await login(1, grantee);
    assert.match((await again.command('e', `SELECT ${name}`)).tagged, /^e NO \[NONEXISTENT\] /);
  });
});
