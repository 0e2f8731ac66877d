// The fuzz tests' reply validator (test/support/reply-validator.ts) must
// accept what the RFCs allow and catch what they do not, or the fuzz tests
// prove nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyFramer, validateResponse } from '../support/reply-validator.js';

function check(wire: string, utf8 = false): Array<string | undefined> {
  const framer = new ReplyFramer();
  const lines = framer.push(Buffer.from(wire, 'latin1'));
  assert.equal(framer.error, undefined, `framing: ${framer.error}`);
  return lines.map((l) => validateResponse(l, { utf8 }, new Set(['A1'])));
}

const VALID = [
  '* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN] test IMAP ready',
  '* 3 EXISTS',
  '* 0 RECENT',
  '* 2 EXPUNGE',
  '* FLAGS (\\Answered \\Seen $Junk 98)',
  '* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 0 NIL NIL NIL NIL)("text" "html" NIL NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "alternative" NIL NIL NIL NIL))',
  '* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted',
  '* OK [UIDVALIDITY 17] UIDs valid',
  '* 1 FETCH (UID 4 FLAGS (\\Seen) MODSEQ (12) RFC822.SIZE 44 INTERNALDATE " 7-Feb-1994 21:52:25 -0800")',
  '* 1 FETCH (BODY[HEADER.FIELDS (From Subject)]<0> {5}\r\nab\r\nc BINARY.SIZE[1] 7 BODY[] NIL)',
  '* 1 FETCH (ENVELOPE (NIL "s" (("a" NIL "b" "c")) NIL NIL NIL NIL NIL NIL "<id>") BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL))',
  '* LIST (\\HasNoChildren) "/" INBOX',
  '* LIST (\\Subscribed) "/" "fz 3" ("CHILDINFO" ("SUBSCRIBED"))',
  '* LIST (\\Noselect) NIL ""',
  '* STATUS INBOX (MESSAGES 2 UIDNEXT 5 MAILBOXID (Mabc))',
  '* SEARCH 1 2 3',
  '* SEARCH',
  '* ESEARCH (TAG "A1") UID MIN 2 COUNT 3 ALL 2:4',
  '* ENABLED CONDSTORE',
  '* ID ("name" "kimap" "version" NIL)',
  '* NAMESPACE (("" "/")) (("Other Users/" "/")) NIL',
  '* VANISHED (EARLIER) 1:3,7',
  '* QUOTA "" (STORAGE 10 512)',
  '* MYRIGHTS INBOX lrswipkxtea',
  '+ Ready for literal data',
  '+ ',
  'A1 OK [READ-WRITE] SELECT completed',
  'A1 NO [NONEXISTENT] Mailbox does not exist: {3} ',
  'A1 BAD Unknown command XYZZY',
  'A1 NO [NONEXISTENT] Mailbox does not exist: fz1/\tub',
  '* LIST () "/" "a\tb"',
  '* LIST (\\HasNoChildren) "/" fz2body[]<',
  '* LIST (\\HasNoChildren) "/" BODY[]<',
  '* LIST (\\HasNoChildren) "/" ~Le',
  '* ACL BODY[BODY[ fuzz@example.test lrswipkxteacd',
  '* FLAGS (\\Answered \\Seen $Junk -_0#5 NIL)',
  '* 1 FETCH (BODY[HEADER.FIELDS.NOT (T])]<0> "" MODSEQ (95) FLAGS (\\Seen $Junk))',
  '* 1 FETCH (FLAGS (\\Recent NIL $x))',
  '* OK [PERMANENTFLAGS (\\Answered NIL $x \\*)] Flags permitted.',
  '* LIST (\\HasNoChildren) "/" BINARY[1',
  '* LIST (\\HasNoChildren) "/" BINARY[1]x',
  '* LIST (\\HasNoChildren) "/" [z1',
];

test('valid replies pass', () => {
  for (const line of VALID) assert.deepEqual(check(line + '\r\n'), [undefined], line);
});

test('UTF-8 in quoted strings only once enabled', () => {
  const line = '* LIST () "/" "Gr\xc3\xbc\xc3\x9fe"\r\n';
  assert.deepEqual(check(line, true), [undefined]);
  assert.match(check(line)[0]!, /8-bit/);
});

const INVALID: Array<[string, RegExp]> = [
  ['B1 OK done', /did not send/],
  ['A1 MAYBE done', /only OK, NO and BAD/],
  ['A1 OK', /expected " "/],
  ['* 0 EXPUNGE', /message number of 0/],
  ['* 1 FETCH (UID)', /pairs/],
  ['* 1 FETCH (FLAGS (\\Seen) UID x)', /UID that is not a number/],
  ['* 1 FETCH (BOGUS 1)', /unknown FETCH item/],
  ['* LIST (\\HasNoChildren) "//" INBOX', /delimiter/],
  ['* SEARCH 1 0', /SEARCH with 0/],
  ['* FLAGS (\\Seen', /unterminated list/],
  ['* LIST () "/" "a\\b"', /backslash/],
  ['* CAPABILITY IDLE', /without IMAP4rev1/],
  ['* FROBNICATE 1', /unknown untagged/],
  ['* OK  two spaces', /two spaces|expected text/],
  ['* 1 FETCH (BODY[] {5}\r\nabc)', /count|expected|bare LF/],
];

test('invalid replies are caught', () => {
  for (const [line, why] of INVALID) {
    const framer = new ReplyFramer();
    const lines = framer.push(Buffer.from(line + '\r\n', 'latin1'));
    const errors = [framer.error, ...lines.map((l) => validateResponse(l, { utf8: false }, new Set(['A1'])))].filter(Boolean);
    assert.ok(errors.length > 0, `${JSON.stringify(line)} passed`);
    assert.match(String(errors[0]), why, line);
  }
});

test('framing: a bare LF, a NUL outside a literal, and a literal counted short are caught', () => {
  for (const wire of ['* OK hi\n', '* OK h\0i\r\n', '* 1 FETCH (BODY[] {2}\r\nabc)\r\n']) {
    const framer = new ReplyFramer();
    const lines = framer.push(Buffer.from(wire, 'latin1'));
    const errors = [framer.error, ...lines.map((l) => validateResponse(l, { utf8: false }))].filter(Boolean);
    assert.ok(errors.length > 0, `${JSON.stringify(wire)} passed`);
  }
});
