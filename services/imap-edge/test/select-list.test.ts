// SELECT and EXAMINE responses, LIST of the default and nested folders, CREATE
// with ALREADYEXISTS, and mailbox names in modified UTF-7.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { SYSTEM_FLAGS, msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: SELECT, EXAMINE, LIST and CREATE', () => {
  const services = useEdgeServices();
  const { loggedIn, freshUser, uidvalidity } = services;

  test('SELECT INBOX: FLAGS, PERMANENTFLAGS, EXISTS, UIDVALIDITY, UIDNEXT, OK [READ-WRITE]', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    const v = await uidvalidity(accountId, 'INBOX');
    await appendSync(c, 'p', 'INBOX', msg('first'));
    await appendSync(c, 'q', 'INBOX', msg('second'));
    const r = await c.command('a', 'SELECT INBOX');
    assert.ok(r.untagged.includes(`* FLAGS (${SYSTEM_FLAGS})`), JSON.stringify(r.untagged));
    assert.ok(r.untagged.includes(`* OK [PERMANENTFLAGS (${SYSTEM_FLAGS} \\*)] Flags permitted`), JSON.stringify(r.untagged));
    assert.ok(r.untagged.includes('* 2 EXISTS'), JSON.stringify(r.untagged));
    assert.ok(r.untagged.includes(`* OK [UIDVALIDITY ${v}] UIDs valid`), JSON.stringify(r.untagged));
    assert.ok(r.untagged.includes('* OK [UIDNEXT 3] Predicted next UID'), JSON.stringify(r.untagged));
    assert.equal(r.tagged, 'a OK [READ-WRITE] SELECT completed');
    // The exact transcript, in order.
    assert.deepEqual(
      r.untagged.filter((l) => !l.startsWith('* OK [HIGHESTMODSEQ ')),
      [
        `* FLAGS (${SYSTEM_FLAGS})`,
        `* OK [PERMANENTFLAGS (${SYSTEM_FLAGS} \\*)] Flags permitted`,
        '* 2 EXISTS',
        '* 2 RECENT',
        '* OK [UNSEEN 1] First unseen',
        `* OK [UIDVALIDITY ${v}] UIDs valid`,
        '* OK [UIDNEXT 3] Predicted next UID',
      ],
    );
  });

  test('EXAMINE -> OK [READ-ONLY] with empty PERMANENTFLAGS', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    const r = await c.command('a', 'EXAMINE INBOX');
    assert.ok(r.untagged.includes('* OK [PERMANENTFLAGS ()] Flags permitted'), JSON.stringify(r.untagged));
    assert.ok(r.untagged.includes('* 0 EXISTS'));
    assert.ok(r.untagged.includes('* OK [UIDNEXT 1] Predicted next UID'));
    assert.equal(r.tagged, 'a OK [READ-ONLY] EXAMINE completed');
  });

  test('SELECT of a missing mailbox -> NO [NONEXISTENT] and the session leaves selected state', async () => {
    const c = await loggedIn();
    const ok = await c.command('a', 'SELECT INBOX');
    assert.match(ok.tagged, /^a OK \[READ-WRITE\] /);
    const r = await c.command('b', 'SELECT No-Such-Box');
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^b NO \[NONEXISTENT\] /);
    const f = await c.command('c', 'FETCH 1 FLAGS');
    assert.deepEqual(f.untagged, []);
    assert.match(f.tagged, /^c BAD /);
  });

  test('LIST "" "*" shows the default folders with special-use and \\HasNoChildren', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    const r = await c.command('a', 'LIST "" "*"');
    assert.deepEqual([...r.untagged].sort(), [
      '* LIST (\\HasNoChildren \\Archive) "/" Archive',
      '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
      '* LIST (\\HasNoChildren \\Junk) "/" Junk',
      '* LIST (\\HasNoChildren \\Sent) "/" Sent',
      '* LIST (\\HasNoChildren \\Trash) "/" Trash',
      '* LIST (\\HasNoChildren) "/" INBOX',
    ]);
    assert.equal(r.tagged, 'a OK LIST completed');
  });

  test('LIST-STATUS: each listed mailbox with its STATUS, as STATUS answers it, from one call for all', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    for (let i = 0; i < 30; i++) assert.match((await c.command(`C${i}`, `CREATE ls${i}`)).tagged, /OK/);
    assert.match((await appendSync(c, 'A1', 'ls7', msg('one'), { flags: '\\Seen' })).tagged, /OK/);
    assert.match((await appendSync(c, 'A2', 'ls7', msg('two'))).tagged, /OK/);
    const items = 'MESSAGES UIDNEXT UNSEEN UIDVALIDITY SIZE DELETED-STORAGE HIGHESTMODSEQ RECENT';
    /** Calls the mailbox service answered, by method. */
    const calls = async (method: string) => {
      const m = await services.registry.getSingleMetric('kimap_grpc_server_duration_seconds')!.get();
      return m.values
        .filter((v) => String((v as { metricName?: string }).metricName ?? '').endsWith('_count') && v.labels.method === method)
        .reduce((n, v) => n + v.value, 0);
    };
    const [one, all] = [await calls('GetStatus'), await calls('GetStatuses')];
    const r = await c.command('L', `LIST "" "ls*" RETURN (STATUS (${items}))`);
    assert.deepEqual([(await calls('GetStatus')) - one, (await calls('GetStatuses')) - all], [0, 1], 'one call for the 30 mailboxes');
    assert.equal(r.tagged, 'L OK LIST completed');
    const statuses = r.untagged.filter((l) => l.startsWith('* STATUS'));
    assert.equal(statuses.length, 30);
    for (const name of ['ls0', 'ls7', 'ls29']) {
      const alone = (await c.command('S', `STATUS ${name} (${items})`)).untagged.find((l) => l.startsWith('* STATUS'));
      assert.equal(
        statuses.find((l) => l.startsWith(`* STATUS ${name} `)),
        alone,
        name,
      );
    }
    assert.match(
      statuses.find((l) => l.startsWith('* STATUS ls7 '))!,
      /MESSAGES 2 .*UNSEEN 1/,
    );
  });

  test('CREATE nested -> parent has \\HasChildren; duplicate -> NO [ALREADYEXISTS]', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    const r1 = await c.command('a', 'CREATE Projects/2026');
    assert.equal(r1.tagged, 'a OK CREATE completed');
    const r2 = await c.command('b', 'LIST "" "Projects*"');
    assert.deepEqual([...r2.untagged].sort(), ['* LIST (\\HasChildren) "/" Projects', '* LIST (\\HasNoChildren) "/" Projects/2026']);
    const r3 = await c.command('c', 'LIST "" "%"');
    assert.ok(r3.untagged.includes('* LIST (\\HasChildren) "/" Projects'));
    assert.ok(!r3.untagged.some((l) => l.endsWith('Projects/2026')), '% does not cross the delimiter');
    const r4 = await c.command('d', 'CREATE Projects/2026');
    assert.match(r4.tagged, /^d NO \[ALREADYEXISTS\] /);
    const r5 = await c.command('e', 'CREATE Projects');
    assert.match(r5.tagged, /^e NO \[ALREADYEXISTS\] /);
    const r6 = await c.command('f', 'CREATE inbox');
    assert.match(r6.tagged, /^f NO \[ALREADYEXISTS\] /);
  });

  test('LIST "" "" -> * LIST (\\Noselect) "/" ""', async () => {
    const c = await loggedIn();
    const r = await c.command('a', 'LIST "" ""');
    assert.deepEqual(r.untagged, ['* LIST (\\Noselect) "/" ""']);
    assert.equal(r.tagged, 'a OK LIST completed');
  });

  test('a non-ASCII mailbox name round-trips through modified UTF-7', async () => {
    const { user, accountId } = await freshUser();
    const c = await loggedIn(user);
    const r1 = await c.command('a', 'CREATE "&AOQ-bc"');
    assert.equal(r1.tagged, 'a OK CREATE completed');
    const { rows } = await services.db.query<{ name: string }>('SELECT name FROM mailboxes WHERE account_id = $1 AND name LIKE $2', [
      accountId,
      '%bc',
    ]);
    assert.deepEqual(
      rows.map((r) => r.name),
      ['\u00e4bc'],
      'stored as UTF-8',
    );
    const r2 = await c.command('b', 'LIST "" "*"');
    const line = r2.untagged.find((l) => l.includes('AOQ'));
    assert.match(line ?? '', /^\* LIST \(\\HasNoChildren\) "\/" "?&AOQ-bc"?$/);
    const r3 = await c.command('c', 'SELECT "&AOQ-bc"');
    assert.match(r3.tagged, /^c OK \[READ-WRITE\] /);
    const r4 = await c.command('d', 'CREATE "&AOQ-bc"');
    assert.match(r4.tagged, /^d NO \[ALREADYEXISTS\] /);
    const r5 = await c.command('e', 'CREATE "&Jjo"');
    assert.match(r5.tagged, /^e NO Mailbox name is not valid modified UTF-7$/, 'invalid modified UTF-7');
  });

  test('a name that is not valid modified UTF-7 is refused with NO (as Dovecot), a LIST pattern matches nothing', async () => {
    const c = await loggedIn();
    await c.command('s', 'SELECT INBOX');
    const refused = [
      'CREATE "a&b"',
      'SELECT "&Jjo"',
      'EXAMINE "x&"',
      'STATUS "&AGE-" (MESSAGES)',
      'DELETE "a&b"',
      'RENAME INBOX "a&b"',
      'SUBSCRIBE "a&b"',
      'UNSUBSCRIBE "a&b"',
      'GETQUOTAROOT "a&b"',
      "SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}",
    ];
    for (const [i, cmd] of refused.entries()) {
      const r = await c.command(`n${i}`, cmd);
      assert.deepEqual(r.untagged, [], cmd);
      assert.equal(r.tagged, `n${i} NO Mailbox name is not valid modified UTF-7`, cmd);
    }
    // The failed SELECT left no mailbox selected (RFC 9051 6.3.2).
    assert.match((await c.command('f', 'FETCH 1 FLAGS')).tagged, /^f BAD /);
    for (const [i, cmd] of ['LIST "" "a&b"', 'LIST "" "&Jjo*"', 'LIST (SUBSCRIBED) "" ("a&b" "x&")', 'LSUB "" "a&b%"'].entries()) {
      const r = await c.command(`l${i}`, cmd);
      assert.deepEqual(r.untagged, [], cmd);
      assert.match(r.tagged, new RegExp(`^l${i} OK `), cmd);
    }
    assert.equal((await c.command('z', 'NOOP')).tagged, 'z OK NOOP completed');
  });

  test('LIST (SUBSCRIBED RECURSIVEMATCH): CHILDINFO only for a subscribed descendant the patterns do not report (RFC 5258 3.5, as Dovecot)', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    for (const name of ['t', 't/a', 't/b', 't/b/c', 't/g', 't/g/g', 't/h', 't/h/h', 't/h/i', 'eps2', 'eps2/mailbox', 'x2', 'x2/y2']) {
      assert.match((await c.command('c', `CREATE ${name}`)).tagged, / OK /, name);
    }
    for (const name of ['t/a', 't/b/c', 't/g/g', 't/h/h', 't/h/i', 'eps2', 'eps2/mailbox', 'x2/y2']) {
      assert.match((await c.command('s', `SUBSCRIBE ${name}`)).tagged, / OK /, name);
    }
    const list = async (args: string) => {
      const r = await c.command('l', `LIST (SUBSCRIBED RECURSIVEMATCH) ${args}`);
      assert.match(r.tagged, /^l OK /);
      // name -> "attributes|CHILDINFO" (attributes without \HasChildren/\HasNoChildren and special use)
      return Object.fromEntries(
        r.untagged.map((line) => {
          const m = /^\* LIST \(([^)]*)\) "\/" (\S+)( \("CHILDINFO" \("SUBSCRIBED"\)\))?$/.exec(line);
          assert.ok(m, line);
          const attrs = m[1]!.split(' ').filter((a) => a === '\\Subscribed' || a === '\\NonExistent');
          return [m[2]!, attrs.join(' ') + (m[3] ? '|CHILDINFO' : '')];
        }),
      );
    };
    const own = (all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([n]) => /^(t|eps2|x2)(\/|$)/.test(n)));
    // "*" reaches every descendant: no unsubscribed parent is listed; a subscribed one still says it has subscribed children.
    assert.deepEqual(own(await list('"" "*"')), {
      eps2: '\\Subscribed|CHILDINFO',
      'eps2/mailbox': '\\Subscribed',
      't/a': '\\Subscribed',
      't/b/c': '\\Subscribed',
      't/g/g': '\\Subscribed',
      't/h/h': '\\Subscribed',
      't/h/i': '\\Subscribed',
      'x2/y2': '\\Subscribed',
    });
    assert.deepEqual(own(await list('"" "%"')), { t: '|CHILDINFO', eps2: '\\Subscribed|CHILDINFO', x2: '|CHILDINFO' });
    // t/h/i does not match "*h": t/h is listed for it; t/g/g matches "*g" and is listed itself.
    assert.deepEqual(own(await list('"" "*h"')), { 't/h': '|CHILDINFO', 't/h/h': '\\Subscribed' });
    assert.deepEqual(own(await list('"" "*g"')), { 't/g/g': '\\Subscribed' });
    assert.deepEqual(own(await list('"" "*2"')), { eps2: '\\Subscribed|CHILDINFO', 'x2/y2': '\\Subscribed' });
    assert.deepEqual(own(await list('"" (t/b)')), { 't/b': '|CHILDINFO' });
    assert.deepEqual(own(await list('"" (t/b t/b/c)')), { 't/b/c': '\\Subscribed' });
  });
});
