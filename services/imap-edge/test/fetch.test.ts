// FETCH of the exact bytes appended, of header fields and partial text, of
// sequence numbers out of range, and \Seen set (or not) by BODY[].
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSync } from './support/imap-client.js';
import { SYSTEM_FLAGS, msg, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: FETCH', () => {
  const { loggedIn, freshUser, freshMailbox } = useEdgeServices();

  test('FETCH FLAGS UID RFC822.SIZE INTERNALDATE BODY.PEEK[] returns the exact bytes appended', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    const bytes = [...'Subject: Gr\xfc\xdfe\r\nFrom: a@example.test\r\nContent-Type: text/plain; charset=latin1\r\n\r\n'].map((ch) =>
      ch.charCodeAt(0),
    );
    // 8-bit and control bytes, but no NUL, and no bare CR/LF.
    for (let b = 1; b < 256; b++) if (b !== 0x0a && b !== 0x0d) bytes.push(b);
    bytes.push(0x0d, 0x0a);
    for (const ch of 'Second line \xe4\xf6\xfc\r\n') bytes.push(ch.charCodeAt(0));
    const message = Buffer.from(bytes);
    const r0 = await appendSync(c, 'p', 'INBOX', message, { flags: '\\Flagged', date: '17-Jul-1996 02:44:25 -0700' });
    assert.match(r0.tagged, /^p OK \[APPENDUID \d+ 1\]/);
    await c.command('s', 'SELECT INBOX');

    c.send('a FETCH 1 (FLAGS UID RFC822.SIZE INTERNALDATE BODY.PEEK[])\r\n');
    const r = await c.readTagged('a');
    assert.equal(r.untaggedRaw.length, 1, JSON.stringify(r.untagged));
    const expected = Buffer.concat([
      Buffer.from(
        `* 1 FETCH (FLAGS (\\Flagged \\Recent) UID 1 RFC822.SIZE ${message.length} INTERNALDATE "17-Jul-1996 09:44:25 +0000" BODY[] {${message.length}}\r\n`,
        'latin1',
      ),
      message,
      Buffer.from(')', 'latin1'),
    ]);
    assert.ok(r.untaggedRaw[0]!.raw.equals(expected), `got ${JSON.stringify(r.untagged[0])}`);
    assert.equal(r.tagged, 'a OK FETCH completed');

    // PEEK did not set \Seen.
    const f = await c.command('b', 'FETCH 1 FLAGS');
    assert.deepEqual(f.untagged, ['* 1 FETCH (FLAGS (\\Flagged \\Recent))']);
  });

  test('APPEND of a literal8 with a binary part: BINARY[1] is the bytes sent, BINARY.SIZE[1] their count, BODY[1] base64', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    // imaptest's append-binary: NUL, an 8-bit byte, bare LF and CRLF in a binary part.
    const content = Buffer.from([0x00, 0x2d, 0xe4, 0x0a, 0x0d, 0x0a, 0x0a]);
    const message = Buffer.concat([
      Buffer.from(
        'From: user@domain.org\r\nMime-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n',
      ),
      content,
    ]);
    c.send(Buffer.concat([Buffer.from(`a APPEND INBOX ~{${message.length}+}\r\n`), message, Buffer.from('\r\n')]));
    assert.match((await c.readTagged('a')).tagged, /^a OK \[APPENDUID \d+ 1\]/);
    await c.command('s', 'SELECT INBOX');
    const r = await c.command('f', 'FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1] BODY.PEEK[1])');
    assert.equal(r.untaggedRaw.length, 1);
    const expected = Buffer.concat([
      Buffer.from('* 1 FETCH (BINARY.SIZE[1] 7 BINARY[1] ~{7}\r\n'),
      content,
      Buffer.from(' BODY[1] {12}\r\nAC3kCg0KCg==)'),
    ]);
    assert.ok(r.untaggedRaw[0]!.raw.equals(expected), JSON.stringify(r.untaggedRaw[0]!.raw.toString('latin1')));
  });

  test('FETCH BODY.PEEK[HEADER.FIELDS (Subject)], BODY.PEEK[TEXT]<0.5>, UID FETCH 1:*', async () => {
    const { user } = await freshUser();
    const c = await loggedIn(user);
    await appendSync(c, 'p', 'INBOX', msg('First one', 'Hello world\r\n'));
    await appendSync(c, 'q', 'INBOX', msg('Second one', 'Other text\r\n'), { flags: '\\Answered $Label1' });
    const s = await c.command('s', 'SELECT INBOX');
    assert.ok(s.untagged.includes(`* FLAGS (${SYSTEM_FLAGS} $Label1)`), JSON.stringify(s.untagged));

    const r1 = await c.command('a', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])');
    assert.deepEqual(r1.untagged, ['* 1 FETCH (BODY[HEADER.FIELDS (Subject)] {22}\r\nSubject: First one\r\n\r\n)']);
    assert.equal(r1.tagged, 'a OK FETCH completed');

    const r2 = await c.command('b', 'FETCH 1 (BODY.PEEK[TEXT]<0.5>)');
    assert.deepEqual(r2.untagged, ['* 1 FETCH (BODY[TEXT]<0> {5}\r\nHello)']);

    const r3 = await c.command('c', 'UID FETCH 1:* (FLAGS)');
    assert.deepEqual(r3.untagged, ['* 1 FETCH (UID 1 FLAGS (\\Recent))', '* 2 FETCH (UID 2 FLAGS (\\Answered $Label1 \\Recent))']);
    assert.equal(r3.tagged, 'c OK UID FETCH completed');

    const r4 = await c.command('d', 'UID FETCH 2:4 (UID RFC822.SIZE)');
    assert.deepEqual(r4.untagged, [`* 2 FETCH (UID 2 RFC822.SIZE ${msg('Second one', 'Other text\r\n').length})`]);
  });

  test('FETCH with a sequence number above EXISTS -> BAD', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    await appendSync(c, 'p', box, msg('only'));
    await c.command('s', `SELECT ${box}`);
    const r = await c.command('a', 'FETCH 2 FLAGS');
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^a BAD /);
    const r2 = await c.command('b', 'FETCH 1:3 FLAGS');
    assert.match(r2.tagged, /^b BAD /);
    const ok = await c.command('c', 'FETCH 1:* FLAGS');
    assert.deepEqual(ok.untagged, ['* 1 FETCH (FLAGS (\\Recent))']);
  });

  test('FETCH BODY[] (non-peek) sets \\Seen and the response carries FLAGS with \\Seen', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    const m = msg('read me');
    await appendSync(c, 'p', box, m);
    await c.command('s', `SELECT ${box}`);
    const r = await c.command('a', 'FETCH 1 (BODY[])');
    assert.equal(r.untagged[0], `* 1 FETCH (BODY[] {${m.length}}\r\n${m.toString('latin1')} FLAGS (\\Seen \\Recent))`);
    // The session's own \Seen change may come back once more from the change
    // feed (timing-dependent, redundant but legal): nothing else may appear.
    assert.deepEqual(
      r.untagged.slice(1).filter((l) => l !== '* 1 FETCH (FLAGS (\\Seen \\Recent))'),
      [],
      JSON.stringify(r.untagged),
    );
    assert.equal(r.tagged, 'a OK FETCH completed');
    // Stored: a second session sees \Seen.
    const c2 = await loggedIn();
    await c2.command('s', `EXAMINE ${box}`);
    const f = await c2.command('b', 'FETCH 1 FLAGS');
    assert.deepEqual(f.untagged, ['* 1 FETCH (FLAGS (\\Seen))']);
  });

  test('FETCH BODY[] in an EXAMINEd mailbox does not set \\Seen', async () => {
    const c = await loggedIn();
    const box = await freshMailbox(c);
    const m = msg('read-only');
    await appendSync(c, 'p', box, m);
    await c.command('s', `EXAMINE ${box}`);
    const r = await c.command('a', 'FETCH 1 (BODY[])');
    assert.deepEqual(r.untagged, [`* 1 FETCH (BODY[] {${m.length}}\r\n${m.toString('latin1')})`]);
    // Read-only: the message nobody has claimed is recent here, and stays unclaimed.
    const f = await c.command('b', 'FETCH 1 FLAGS');
    assert.deepEqual(f.untagged, ['* 1 FETCH (FLAGS (\\Recent))']);
  });
});
