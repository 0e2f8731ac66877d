// The embedded server (one process, PGlite in its data folder) killed with
// SIGKILL during a storm of IMAP clients, and started again on the same
// folder: every APPEND acknowledged before the kill is there exactly once, no
// MOVE left a message in both mailboxes or in neither, UIDVALIDITY stands, and
// the clients resynchronise with QRESYNC to the state of a fresh SELECT.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, PgliteDatabase } from '@kimap/common';
import { addUser } from '@kimap/mailbox';
import { freePort, startService, tempDir, type ServiceProcess } from '../src/cluster.js';
import { faultTable, noReplyDetails, verify } from '../src/faults/check.js';
import { Load } from '../src/faults/load.js';
import { faultSettings as S, hangMs } from '../src/faults/settings.js';

const PASSWORD = 'faults-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the embedded server killed with SIGKILL under a storm of clients', () => {
  const dir = tempDir('kimap-faults-embedded-');
  const dataDir = join(dir.path, 'data');
  const users = Array.from({ length: Math.ceil(S.clients / S.clientsPerUser) }, (_, i) => `storm${i}@embedded.test`);
  let env: Record<string, string>;
  let server: ServiceProcess;
  let imapPort: number;

  const start = () => startService('kimap', 'services/server/src/main.ts', env);

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    const db = await PgliteDatabase.open(join(dataDir, 'db'));
    await migrate(db);
    for (const u of users) await addUser(db, u, PASSWORD, { createTenant: true });
    await db.close();
    imapPort = await freePort();
    env = {
      DATA_DIR: dataDir,
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(imapPort),
      IMAPS_PORT: String(await freePort()),
      LMTP_PORT: String(await freePort()),
      IMAP_MAX_ACCOUNT_CONNECTIONS: '1000',
      IMAP_MAX_ACCOUNT_IP_CONNECTIONS: '1000',
    };
    server = await start();
  });

  after(async () => {
    await server?.stop();
    dir.remove();
  });

  /** Kills the server and starts it again, round after round, while `load` runs. */
  async function rounds(load: Load): Promise<void> {
    await sleep(S.stormMs);
    for (let round = 0; round < S.embeddedRounds; round++) {
      await server.stop('SIGKILL');
      // The killed server leaves its socket file and lock behind: the new one
      // starts on the folder as it is.
      server = await start();
      const restarted = Date.now();
      // Every client back in and resynchronised before the next round (bounded).
      const deadline = restarted + 90_000;
      while (new Set(load.resyncs.filter((r) => r.at > restarted).map((r) => r.client)).size < S.clients) {
        assert.ok(Date.now() < deadline, 'every client reconnects within 90 s of the restart');
        await sleep(200);
      }
      await sleep(S.stormMs);
    }
  }

  test(
    `${S.embeddedRounds} kill -9 rounds: nothing acknowledged lost or doubled, QRESYNC after the restart is exact`,
    { timeout: 600_000 },
    async () => {
      const load = new Load({
        ports: [imapPort],
        users,
        password: PASSWORD,
        clients: S.clients,
        clientsPerUser: S.clientsPerUser,
        commandTimeoutMs: hangMs(),
        run: 'e1',
      });
      await load.prepare();
      load.start();
      try {
        await rounds(load);
      } finally {
        // Whatever failed, the clients stop (they would keep the test process alive).
        await load.stop();
      }
      const outcome = await verify(load, imapPort, `kill -9 embedded server (${S.embeddedRounds} rounds)`);
      console.log(`\nthe embedded server under a storm of ${S.clients} clients:\n${faultTable([outcome])}\n${noReplyDetails([outcome])}\n`);
      assert.deepEqual(outcome.problems.slice(0, 10), [], `${outcome.problems.length} problems`);
      assert.ok(outcome.acknowledged > 0, 'the storm got APPENDs through');
      assert.equal(outcome.present, outcome.acknowledged);
      assert.ok(outcome.reconnections >= S.clients * S.embeddedRounds, `${outcome.reconnections} clients reconnected and resynchronised`);
    },
  );
});
