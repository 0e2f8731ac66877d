import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError, UnknownCommandError } from '../../src/protocol/errors.js';
import { SequenceSet } from '../../src/protocol/seqset.js';
import { parseLogin } from '../../src/commands/login.js';
import { parseCommand } from '../../src/commands/registry.js';
import { CommandParser } from '../../src/protocol/parser.js';
import { lit, parse, receiveOne } from '../protocol/helpers.js';

const seq = (s: string) => SequenceSet.parse(s);

/** [raw line (CRLF optional, literals inline), expected {name, args}] */
const OK: Array<[string, { name: string; args: unknown }]> = [
  ['a CAPABILITY', { name: 'CAPABILITY', args: {} }],
  ['a noop', { name: 'NOOP', args: {} }],
  ['a LOGOUT', { name: 'LOGOUT', args: {} }],
  ['a STARTTLS', { name: 'STARTTLS', args: {} }],
  ['a CLOSE', { name: 'CLOSE', args: {} }],
  ['a UNSELECT', { name: 'UNSELECT', args: {} }],
  ['a CHECK', { name: 'CHECK', args: {} }],
  ['a NAMESPACE', { name: 'NAMESPACE', args: {} }],
  ['a IDLE', { name: 'IDLE', args: {} }],
  ['a EXPUNGE', { name: 'EXPUNGE', args: {} }],

  ['a LOGIN fred secret', { name: 'LOGIN', args: { username: 'fred', password: 'secret', passwordBytes: Buffer.from('secret') } }],
  [
    'a LOGIN "fr\\"ed" ' + lit('p a\\ss'),
    { name: 'LOGIN', args: { username: 'fr"ed', password: 'p a\\ss', passwordBytes: Buffer.from('p a\\ss') } },
  ],
  ['a login "jöe" "pw]"', { name: 'LOGIN', args: { username: 'jöe', password: 'pw]', passwordBytes: Buffer.from('pw]') } }],

  ['a AUTHENTICATE plain', { name: 'AUTHENTICATE', args: { mechanism: 'PLAIN' } }],
  ['a AUTHENTICATE PLAIN =', { name: 'AUTHENTICATE', args: { mechanism: 'PLAIN', initialResponse: Buffer.alloc(0) } }],
  ['a AUTHENTICATE PLAIN AGZvbwBiYXI=', { name: 'AUTHENTICATE', args: { mechanism: 'PLAIN', initialResponse: Buffer.from('\0foo\0bar') } }],

  ['a SELECT inbox', { name: 'SELECT', args: { mailbox: 'INBOX', readOnly: false, condstore: false } }],
  ['a EXAMINE "Sent Items"', { name: 'EXAMINE', args: { mailbox: 'Sent Items', readOnly: true, condstore: false } }],
  ['a SELECT INBOX (CONDSTORE)', { name: 'SELECT', args: { mailbox: 'INBOX', readOnly: false, condstore: true } }],
  [
    'a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))',
    {
      name: 'SELECT',
      args: {
        mailbox: 'INBOX',
        readOnly: false,
        condstore: false,
        qresync: { uidValidity: 67890007, modSeq: 20050715194045000n, knownUids: seq('41,43:211,214:541') },
      },
    },
  ],
  [
    'a SELECT INBOX (QRESYNC (1 2 1:10 (1:3 5:7)))',
    {
      name: 'SELECT',
      args: {
        mailbox: 'INBOX',
        readOnly: false,
        condstore: false,
        qresync: { uidValidity: 1, modSeq: 2n, knownUids: seq('1:10'), seqMatch: { seqs: seq('1:3'), uids: seq('5:7') } },
      },
    },
  ],
  [
    'a SELECT INBOX (QRESYNC (1 2 (1 5)))',
    {
      name: 'SELECT',
      args: {
        mailbox: 'INBOX',
        readOnly: false,
        condstore: false,
        qresync: { uidValidity: 1, modSeq: 2n, seqMatch: { seqs: seq('1'), uids: seq('5') } },
      },
    },
  ],

  ['a CREATE foo/bar', { name: 'CREATE', args: { mailbox: 'foo/bar', specialUse: [] } }],
  ['a CREATE Drafts (USE (\\drafts \\X-Custom))', { name: 'CREATE', args: { mailbox: 'Drafts', specialUse: ['\\Drafts', '\\X-Custom'] } }],
  ['a DELETE "a b"', { name: 'DELETE', args: { mailbox: 'a b' } }],
  ['a RENAME old ' + lit('new name'), { name: 'RENAME', args: { from: 'old', to: 'new name' } }],
  ['a SUBSCRIBE INBOX.x', { name: 'SUBSCRIBE', args: { mailbox: 'INBOX.x' } }],
  ['a UNSUBSCRIBE Inbox', { name: 'UNSUBSCRIBE', args: { mailbox: 'INBOX' } }],

  ['a LIST "" *', { name: 'LIST', args: { reference: '', patterns: ['*'], selectOptions: [], returnOptions: [], extended: false } }],
  [
    'a LIST ~/Mail/ %]x',
    { name: 'LIST', args: { reference: '~/Mail/', patterns: ['%]x'], selectOptions: [], returnOptions: [], extended: false } },
  ],
  [
    'a LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "Drafts/%") RETURN (CHILDREN STATUS (MESSAGES unseen) SPECIAL-USE)',
    {
      name: 'LIST',
      args: {
        reference: '',
        patterns: ['INBOX', 'Drafts/%'],
        selectOptions: ['SUBSCRIBED', 'RECURSIVEMATCH'],
        returnOptions: ['CHILDREN', 'STATUS', 'SPECIAL-USE'],
        statusItems: ['MESSAGES', 'UNSEEN'],
        extended: true,
      },
    },
  ],
  [
    'a LIST "" % RETURN ()',
    { name: 'LIST', args: { reference: '', patterns: ['%'], selectOptions: [], returnOptions: [], extended: true } },
  ],
  ['a LSUB "" "*"', { name: 'LSUB', args: { reference: '', pattern: '*' } }],

  [
    'a STATUS blurdybloop (UIDNEXT MESSAGES highestmodseq)',
    { name: 'STATUS', args: { mailbox: 'blurdybloop', items: ['UIDNEXT', 'MESSAGES', 'HIGHESTMODSEQ'] } },
  ],

  [
    'a APPEND saved-messages (\\Seen) " 7-Feb-1994 21:52:25 -0800" ' + lit('Subject: hi\r\n\r\nbody', ''),
    {
      name: 'APPEND',
      args: {
        mailbox: 'saved-messages',
        messages: [
          {
            flags: ['\\Seen'],
            internalDate: { date: new Date('1994-02-08T05:52:25Z'), offsetMinutes: -480 },
            data: Buffer.from('Subject: hi\r\n\r\nbody'),
            binary: false,
            utf8: false,
          },
        ],
      },
    },
  ],
  [
    'a APPEND INBOX ' + lit('') + ' () ' + lit('two') + ' "01-Jan-2024 00:00:00 +0000" ~{3}\r\nb\0n UTF8 (~{2+}\r\nü)',
    {
      name: 'APPEND',
      args: {
        mailbox: 'INBOX',
        messages: [
          { flags: [], data: Buffer.alloc(0), binary: false, utf8: false },
          { flags: [], data: Buffer.from('two'), binary: false, utf8: false },
          {
            flags: [],
            internalDate: { date: new Date('2024-01-01T00:00:00Z'), offsetMinutes: 0 },
            data: Buffer.from('b\0n'),
            binary: true,
            utf8: false,
          },
          { flags: [], data: Buffer.from('ü'), binary: true, utf8: true },
        ],
      },
    },
  ],

  [
    'a FETCH 1:* FAST',
    {
      name: 'FETCH',
      args: {
        uid: false,
        sequenceSet: seq('1:*'),
        items: [{ kind: 'flags' }, { kind: 'internaldate' }, { kind: 'rfc822.size' }],
        macro: 'FAST',
        vanished: false,
      },
    },
  ],
  [
    'a UID FETCH 1,2:4 (FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)])',
    {
      name: 'UID FETCH',
      args: {
        uid: true,
        sequenceSet: seq('1,2:4'),
        items: [
          { kind: 'uid' },
          { kind: 'flags' },
          { kind: 'body', peek: true, section: { part: [], text: 'HEADER.FIELDS', fields: ['From', 'Subject'] } },
        ],
        vanished: false,
      },
    },
  ],
  [
    'a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)',
    {
      name: 'UID FETCH',
      args: {
        uid: true,
        sequenceSet: seq('300:500'),
        items: [{ kind: 'uid' }, { kind: 'flags' }, { kind: 'modseq' }],
        changedSince: 12345n,
        vanished: true,
      },
    },
  ],
  [
    'a FETCH $ uid',
    { name: 'FETCH', args: { uid: false, sequenceSet: new SequenceSet([], true), items: [{ kind: 'uid' }], vanished: false } },
  ],

  [
    'a STORE 2:4 +FLAGS (\\Deleted)',
    { name: 'STORE', args: { uid: false, sequenceSet: seq('2:4'), action: 'add', silent: false, flags: ['\\Deleted'] } },
  ],
  [
    'a UID STORE 1 -flags.silent \\seen $Junk',
    { name: 'UID STORE', args: { uid: true, sequenceSet: seq('1'), action: 'remove', silent: true, flags: ['\\Seen', '$Junk'] } },
  ],
  [
    'a STORE 1:* (UNCHANGEDSINCE 0) FLAGS ()',
    { name: 'STORE', args: { uid: false, sequenceSet: seq('1:*'), action: 'set', silent: false, flags: [], unchangedSince: 0n } },
  ],

  ['a COPY 2:4 MEETING', { name: 'COPY', args: { uid: false, sequenceSet: seq('2:4'), mailbox: 'MEETING' } }],
  ['a UID COPY 1:* inbox', { name: 'UID COPY', args: { uid: true, sequenceSet: seq('1:*'), mailbox: 'INBOX' } }],
  ['a MOVE 1 "Trash"', { name: 'MOVE', args: { uid: false, sequenceSet: seq('1'), mailbox: 'Trash' } }],
  ['a UID MOVE 5:7 Archive', { name: 'UID MOVE', args: { uid: true, sequenceSet: seq('5:7'), mailbox: 'Archive' } }],
  ['a UID EXPUNGE 3000:3002', { name: 'UID EXPUNGE', args: { sequenceSet: seq('3000:3002') } }],

  ['a GETQUOTA "User quota"', { name: 'GETQUOTA', args: { root: 'User quota' } }],
  ['a getquota ""', { name: 'GETQUOTA', args: { root: '' } }],
  ['a GETQUOTAROOT inbox', { name: 'GETQUOTAROOT', args: { mailbox: 'INBOX' } }],
  ['a GETQUOTAROOT "Sent Items"', { name: 'GETQUOTAROOT', args: { mailbox: 'Sent Items' } }],
  [
    'a SETQUOTA "User quota" (STORAGE 512 message 9223372036854775807)',
    {
      name: 'SETQUOTA',
      args: {
        root: 'User quota',
        limits: [
          { resource: 'STORAGE', limit: 512n },
          { resource: 'MESSAGE', limit: 9223372036854775807n },
        ],
      },
    },
  ],
  ['a SETQUOTA "" ()', { name: 'SETQUOTA', args: { root: '', limits: [] } }],
  ['a STATUS INBOX (DELETED deleted-storage)', { name: 'STATUS', args: { mailbox: 'INBOX', items: ['DELETED', 'DELETED-STORAGE'] } }],

  ['a ENABLE condstore utf8=accept', { name: 'ENABLE', args: { capabilities: ['CONDSTORE', 'UTF8=ACCEPT'] } }],
  ['a ID NIL', { name: 'ID', args: { params: null } }],
  ['a ID ()', { name: 'ID', args: { params: [] } }],
  [
    'a ID ("name" "sodr" "version" NIL)',
    {
      name: 'ID',
      args: {
        params: [
          ['name', 'sodr'],
          ['version', null],
        ],
      },
    },
  ],

  [
    'a SETACL INBOX bob@example.test lrs',
    { name: 'SETACL', args: { mailbox: 'INBOX', identifier: 'bob@example.test', change: 'replace', rights: 'lrs' } },
  ],
  ['a setacl inbox anyone +cd', { name: 'SETACL', args: { mailbox: 'INBOX', identifier: 'anyone', change: 'add', rights: 'kxte' } }],
  [
    'a SETACL Team "bob@example.test" -wa',
    { name: 'SETACL', args: { mailbox: 'Team', identifier: 'bob@example.test', change: 'remove', rights: 'wa' } },
  ],
  ['a SETACL Team bob ""', { name: 'SETACL', args: { mailbox: 'Team', identifier: 'bob', change: 'replace', rights: '' } }],
  ['a SETACL Team bob asrl', { name: 'SETACL', args: { mailbox: 'Team', identifier: 'bob', change: 'replace', rights: 'lrsa' } }],
  [
    'a DELETEACL "Other Users/a@b.test/INBOX" anyone',
    { name: 'DELETEACL', args: { mailbox: 'Other Users/a@b.test/INBOX', identifier: 'anyone', change: 'delete', rights: '' } },
  ],
  ['a GETACL inbox', { name: 'GETACL', args: { mailbox: 'INBOX' } }],
  ['a MYRIGHTS Team', { name: 'MYRIGHTS', args: { mailbox: 'Team' } }],
  ['a LISTRIGHTS Team "Bob@Example.test"', { name: 'LISTRIGHTS', args: { mailbox: 'Team', identifier: 'Bob@Example.test' } }],
];

for (const [line, expected] of OK) {
  test(`parses: ${JSON.stringify(line).slice(0, 90)}`, () => {
    const cmd = parse(line);
    assert.equal(cmd.tag, 'a');
    assert.deepEqual({ name: cmd.name, args: cmd.args }, expected);
  });
}

/** [raw line, substring of the BAD message] */
const BAD: Array<[string, string | RegExp]> = [
  ['a NOOP extra', 'extra arguments'],
  ['a NOOP ', 'extra arguments'],
  ['a LOGIN fred', 'Missing argument'],
  ['a LOGIN fred  secret', 'Expected string'],
  ['a LOGIN "fred secret', 'Unterminated'],
  ['a LOGIN "fr\\ed" x', 'Invalid escape'],
  ['a LOGIN fred secret more', 'extra arguments'],
  ['a LOGIN ~{1+}\r\nx y', 'literal8'],
  ['a AUTHENTICATE PLAIN abc', 'base64'],
  ['a AUTHENTICATE', 'Missing argument'],
  ['a SELECT', 'Missing argument'],
  ['a SELECT INBOX (FOO)', 'Unsupported SELECT parameter'],
  ['a SELECT INBOX ()', 'Empty list'],
  ['a SELECT INBOX (QRESYNC (0 1))', 'non-zero'],
  ['a SELECT INBOX (QRESYNC (1 1 1:*))', 'not allowed'],
  ['a SELECT INBOX (QRESYNC (1 1 5 ))', 'Expected "("'],
  ['a CREATE x (FOO (bar))', 'Unsupported CREATE parameter'],
  ['a CREATE x (USE (Drafts))', 'Expected "\\"'],
  ['a RENAME a', 'Missing argument'],
  ['a LIST ""', 'Missing argument'],
  ['a LIST "" * RETURN (BOGUS)', 'Unsupported LIST return option'],
  ['a LIST (RECURSIVEMATCH) "" *', 'RECURSIVEMATCH'],
  ['a LIST "" * FOO ()', 'Expected RETURN'],
  ['a STATUS INBOX ()', 'Empty list'],
  ['a STATUS INBOX (MESSAGES BOGUS)', 'Unknown STATUS item'],
  ['a STATUS INBOX MESSAGES', 'Expected "("'],
  ['a APPEND INBOX', 'Missing argument'],
  ['a APPEND INBOX (\\Seen)', 'Missing argument'],
  ['a APPEND INBOX "bad date" {1+}\r\nx', 'date-time'],
  ['a APPEND INBOX "31-Feb-2024 00:00:00 +0000" {1+}\r\nx', 'day of month'],
  ['a APPEND INBOX "01-Jan-2024 25:00:00 +0000" {1+}\r\nx', 'Invalid time'],
  ['a APPEND INBOX hello', 'Expected message literal'],
  ['a APPEND INBOX CATENATE (URL "/x")', 'CATENATE'],
  ['a APPEND INBOX UTF8 ({1+}\r\nx)', 'literal8'],
  ['a FETCH 1', 'Missing argument'],
  ['a FETCH 0 FLAGS', 'Invalid sequence set'],
  ['a FETCH 1:*: FLAGS', 'Invalid sequence set'],
  ['a FETCH 1 (FLAGS', 'Expected ")"'],
  ['a FETCH 1 ()', 'Empty list'],
  ['a FETCH 1 BOGUS', 'Unknown fetch attribute'],
  ['a FETCH 1 BODY[MIME]', 'MIME section requires a part'],
  ['a FETCH 1 BODY[1.0]', 'non-zero'],
  ['a FETCH 1 BODY[HEADER.FIELDS]', 'Expected SP'],
  ['a FETCH 1 BODY[HEADER.FIELDS ()]', 'Empty list'],
  ['a FETCH 1 BODY[]<5>', 'Expected "."'],
  ['a FETCH 1 BODY[]<5.0>', 'non-zero'],
  ['a FETCH 1 BINARY[HEADER]', 'Expected number'],
  ['a FETCH 1 FLAGS[1]', 'Unexpected section'],
  ['a FETCH 1 (FLAGS) (VANISHED)', 'VANISHED requires'],
  ['a UID FETCH 1 (FLAGS) (VANISHED)', 'VANISHED requires'],
  ['a FETCH 1 (FLAGS) (BOGUS 1)', 'Unsupported FETCH modifier'],
  ['a FETCH 1 (FLAGS) (CHANGEDSINCE 99999999999999999999)', 'out of range'],
  ['a STORE 1 FLAGS', 'Missing argument'],
  ['a STORE 1 XFLAGS (\\Seen)', 'Expected FLAGS'],
  ['a STORE 1 +FLAGS (\\)', 'Invalid flag'],
  ['a STORE 1 +FLAGS (\\*)', 'Invalid flag'],
  ['a COPY 1', 'Missing argument'],
  ['a UID EXPUNGE', 'Missing argument'],
  ['a GETQUOTA', 'Missing argument'],
  ['a GETQUOTA "User quota" INBOX', 'extra arguments'],
  ['a GETQUOTAROOT', 'Missing argument'],
  ['a GETQUOTAROOT INBOX Sent', 'extra arguments'],
  ['a SETQUOTA "User quota"', 'Missing argument'],
  ['a SETQUOTA "User quota" STORAGE 1', 'Expected "("'],
  ['a SETQUOTA "User quota" (STORAGE)', 'Expected SP'],
  ['a SETQUOTA "User quota" (STORAGE -1)', 'Expected number'],
  ['a SETQUOTA "User quota" (STORAGE 99999999999999999999)', 'out of range'],
  ['a SETQUOTA "User quota" (STORAGE 1 MESSAGE)', 'Expected SP'],
  ['a SETQUOTA "User quota" (STORAGE 1) x', 'extra arguments'],
  ['a ENABLE', 'Missing argument'],
  ['a ID', 'Missing argument'],
  ['a ID ("a")', 'Expected SP'],
  ['a ID (' + Array.from({ length: 31 }, (_, i) => `"k${i}" "v"`).join(' ') + ')', 'Too many ID parameters'],
  ['a SETACL INBOX bob', 'Missing argument'],
  ['a SETACL INBOX bob lrQs', 'Uppercase rights'],
  ['a SETACL INBOX bob lrqs', 'The q right is not supported'],
  ['a SETACL INBOX bob lr0', 'The 0 right is not supported'],
  ['a SETACL INBOX "" lr', 'Empty identifier'],
  ['a SETACL INBOX bob lr extra', 'extra arguments'],
  ['a DELETEACL INBOX', 'Missing argument'],
  ['a DELETEACL INBOX bob lr', 'extra arguments'],
  ['a GETACL', 'Missing argument'],
  ['a GETACL INBOX bob', 'extra arguments'],
  ['a LISTRIGHTS INBOX', 'Missing argument'],
  ['a LISTRIGHTS INBOX ""', 'Empty identifier'],
  ['a MYRIGHTS', 'Missing argument'],
];

for (const [line, message] of BAD) {
  test(`rejects: ${JSON.stringify(line).slice(0, 90)}`, () => {
    assert.throws(
      () => parse(line),
      (e: unknown) => {
        assert.ok(e instanceof ParseError, `not a ParseError: ${String(e)}`);
        if (typeof message === 'string') assert.ok(e.message.includes(message), `"${e.message}" lacks "${message}"`);
        else assert.match(e.message, message);
        assert.doesNotMatch(e.message, /[\r\n]/);
        return true;
      },
    );
  });
}

test('invalid UTF-8 in a quoted string is BAD; a latin1 password literal is tolerated', () => {
  const raw = Buffer.concat([Buffer.from('a LOGIN "'), Buffer.from([0xff]), Buffer.from('" x\r\n')]);
  assert.throws(() => parseCommand(receiveOne(raw)), /not valid UTF-8/);
  const pw = Buffer.concat([Buffer.from('a LOGIN joe {2+}\r\n'), Buffer.from([0x70, 0xe9]), Buffer.from('\r\n')]);
  const args = parseLogin(CommandParser.forCommand(receiveOne(pw)));
  assert.equal(args.password, 'pé');
  assert.deepEqual(args.passwordBytes, Buffer.from([0x70, 0xe9]));
});

test('unknown command raises UnknownCommandError (a ParseError)', () => {
  assert.throws(
    () => parse('a FROB x'),
    (e: unknown) => e instanceof UnknownCommandError && e instanceof ParseError && e.command === 'FROB',
  );
});

test('CATENATE error carries CANNOT code', () => {
  assert.throws(
    () => parse('a APPEND INBOX CATENATE (URL "/x")'),
    (e: unknown) => e instanceof ParseError && e.code === 'CANNOT',
  );
});
