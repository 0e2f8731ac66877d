// Generators of IMAP commands for the fuzz tests: every command of the
// registry, with arguments drawn from its grammar (RFC 9051 and the
// extensions the edge offers), and mutations of those commands token by
// token. A command is a list of tokens, so a mutation keeps literals whole
// (their counts right) unless it means to break them.
import fc from 'fast-check';

/** A literal: `{n}` (synchronizing), `{n+}` (LITERAL+), `~{n}` / `~{n+}` (literal8). */
export interface LiteralToken {
  readonly literal: Buffer;
  readonly sync: boolean;
  readonly binary: boolean;
}

export type Token = string | LiteralToken;

/** The states a generated command is meant for (the session is brought there first). */
export type FuzzState = 'not-authenticated' | 'authenticated' | 'selected' | 'idle';

export interface GeneratedCommand {
  readonly tag: string;
  /** The command name as sent (mutations may change it). */
  readonly name: string;
  /** Everything after the name, spaces included. */
  readonly args: readonly Token[];
  /**
   * Lines the client sends after the whole command, one per `+` the server
   * sends while the command runs: AUTHENTICATE responses, IDLE's DONE.
   */
  readonly responses: readonly string[];
}

/** Everything the fuzz sessions log in with and work on. */
export interface FuzzWorld {
  readonly user: string;
  readonly password: string;
  /** Names the commands are drawn from, so that they meet each other's mailboxes. */
  readonly mailboxes: readonly string[];
}

export const DEFAULT_MAILBOXES = ['INBOX', 'fz1', 'fz2', 'fz1/sub', 'fz 3', 'F&AOQ-rs', 'Trash', 'Sent'];

const lit = (data: string | Buffer, sync = false, binary = false): LiteralToken => ({
  literal: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
  sync,
  binary,
});

const SP = ' ';

// --- basic values ---------------------------------------------------------

const atomChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#&'.split(''));
const atom = fc.string({ unit: atomChars, minLength: 1, maxLength: 12 });
const num = fc.oneof(
  fc.constantFrom('0', '1', '2', '3', '5', '10', '4294967295', '4294967296', '18446744073709551615', '99999999999999999999', '01'),
  fc.nat({ max: 300 }).map(String),
);

function quote(s: string): string {
  return '"' + s.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

/** An astring in every form the grammar allows: atom, quoted, literal of each kind. */
function astringOf(value: fc.Arbitrary<string>): fc.Arbitrary<Token[]> {
  return fc.tuple(value, fc.nat({ max: 9 })).map(([v, form]): Token[] => {
    if (form <= 4 && /^[A-Za-z0-9\-_.!#&/%*]+$/.test(v)) return [v];
    if (form <= 7 && !/[\r\n\0]/.test(v)) return [quote(v)];
    return [lit(v, form === 8)];
  });
}

const text = fc.oneof(
  atom,
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', 'ä', 'Grüße', '日本', 'a"b', 'a\\b', 'x\r\ny', 'nul\0', '(', ')', '{3}', '*', '%'),
);

const mailboxName = (w: FuzzWorld) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...w.mailboxes) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'inbox', 'INBOX/x', 'nope', '*', '%', '&', '&-', '&Jjo', 'a//b', '/', 'Other Users/x', 'Shared/x'),
    },
    { weight: 1, arbitrary: text },
  );
const mailbox = (w: FuzzWorld) => mailboxName(w).chain((n) => astringOf(fc.constant(n)));

const seqNumber = fc.oneof(
  fc.constantFrom('*', '1', '2', '3', '0', '4294967295', '4294967296'),
  fc.integer({ min: 1, max: 40 }).map(String),
);
const seqRange = fc.oneof(
  seqNumber,
  fc.tuple(seqNumber, seqNumber).map(([a, b]) => `${a}:${b}`),
);
const seqSet = fc.oneof(
  { weight: 6, arbitrary: fc.array(seqRange, { minLength: 1, maxLength: 4 }).map((r) => r.join(',')) },
  { weight: 1, arbitrary: fc.constantFrom('$', '1:*', '*', '1,$', '', ',', '1:', ':2', '1,,2', 'a') },
);

const systemFlag = fc.constantFrom('\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent', '\\*', '\\Junk');
const keyword = fc.oneof(fc.constantFrom('$Forwarded', '$Junk', '$NotJunk', '$MDNSent', 'fz', 'FZ'), atom);
const flag = fc.oneof(systemFlag, keyword);
const flagList = fc.array(flag, { maxLength: 4 }).map((f) => `(${f.join(' ')})`);

const date = fc.oneof(
  fc.constantFrom('1-Feb-1994', '01-Jan-2024', '31-Dec-1999', '29-Feb-2023', '1-Foo-2000', '0-Jan-2000', '1-Jan-99999'),
  fc
    .tuple(fc.integer({ min: 1, max: 31 }), fc.constantFrom('Jan', 'Feb', 'Mar', 'Dec'), fc.integer({ min: 1970, max: 2040 }))
    .map(([d, m, y]) => `${d}-${m}-${y}`),
);
const dateTime = fc.constantFrom(
  '"17-Jul-1996 02:44:25 -0700"',
  '" 7-Feb-1994 21:52:25 -0800"',
  '"01-Jan-2030 00:00:00 +0000"',
  '"32-Jan-2030 00:00:00 +0000"',
  '"1-Jan-2030 25:00:00 +0000"',
  '"17-Jul-1996 02:44:25"',
);

function joined(parts: fc.Arbitrary<Token[]>[], sep: Token = SP): fc.Arbitrary<Token[]> {
  return fc.tuple(...parts).map((ps) => ps.flatMap((p, i) => (i ? [sep, ...p] : p)));
}
const one = (a: fc.Arbitrary<string>): fc.Arbitrary<Token[]> => a.map((s) => [s]);
const opt = (a: fc.Arbitrary<Token[]>): fc.Arbitrary<Token[]> => fc.oneof(fc.constant<Token[]>([]), a);

// --- messages ---------------------------------------------------------------

const message = fc.oneof(
  fc.constantFrom(
    'Subject: hi\r\nFrom: a@example.test\r\nTo: b@example.test\r\n\r\nHello\r\n',
    'From: "X Y" <x@y.example>\r\nSubject: =?utf-8?B?w6TDtg==?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--b--\r\n',
    'Subject: 8bit \xe4\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xe4\xf6\xfc\r\n',
    'no header at all',
    '',
  ),
  fc.string({ maxLength: 300 }).map((s) => `Subject: ${s.replace(/[\r\n]/g, ' ')}\r\n\r\n${s}\r\n`),
);

// --- per-command arguments --------------------------------------------------

const fetchAtt = fc.oneof(
  fc.constantFrom(
    'FLAGS',
    'UID',
    'INTERNALDATE',
    'RFC822.SIZE',
    'ENVELOPE',
    'BODY',
    'BODYSTRUCTURE',
    'MODSEQ',
    'RFC822',
    'RFC822.HEADER',
    'RFC822.TEXT',
    'PREVIEW',
    'EMAILID',
    'X-GM-MSGID',
  ),
  fc
    .tuple(
      fc.constantFrom('BODY', 'BODY.PEEK'),
      fc.constantFrom(
        '',
        'HEADER',
        'TEXT',
        '1',
        '1.2',
        '2.MIME',
        '1.HEADER',
        '1.TEXT',
        '0',
        '1.0',
        'HEADER.FIELDS (From Subject)',
        'HEADER.FIELDS.NOT (To)',
        'HEADER.FIELDS ()',
        'MIME',
        '99.99.99',
      ),
      fc.constantFrom('', '<0>', '<0.10>', '<5.0>', '<4294967295.1>', '<1.>', '<-1>'),
    )
    .map(([n, s, p]) => `${n}[${s}]${p}`),
  fc
    .tuple(
      fc.constantFrom('BINARY', 'BINARY.PEEK', 'BINARY.SIZE'),
      fc.constantFrom('', '1', '1.1', '2', '0', 'TEXT'),
      fc.constantFrom('', '<0.3>'),
    )
    .map(([n, s, p]) => `${n}[${s}]${n === 'BINARY.SIZE' ? '' : p}`),
);
const fetchAtts = fc.oneof(
  fc.constantFrom('ALL', 'FAST', 'FULL'),
  fetchAtt,
  fc.array(fetchAtt, { minLength: 0, maxLength: 5 }).map((a) => `(${a.join(' ')})`),
);

const searchKey: fc.Arbitrary<string> = fc.letrec<{ key: string }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      'ALL',
      'ANSWERED',
      'DELETED',
      'DRAFT',
      'FLAGGED',
      'NEW',
      'OLD',
      'RECENT',
      'SEEN',
      'UNANSWERED',
      'UNDELETED',
      'UNDRAFT',
      'UNFLAGGED',
      'UNSEEN',
      'UNKEYWORD $Junk',
      'KEYWORD fz',
      '$',
    ),
    fc
      .tuple(fc.constantFrom('BCC', 'BODY', 'CC', 'FROM', 'SUBJECT', 'TEXT', 'TO'), text)
      .map(([k, v]) => `${k} ${quote(v.replace(/[\r\n]/g, ''))}`),
    fc.tuple(fc.constantFrom('BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE'), date).map(([k, d]) => `${k} ${d}`),
    fc.tuple(fc.constantFrom('LARGER', 'SMALLER', 'OLDER', 'YOUNGER'), num).map(([k, n]) => `${k} ${n}`),
    fc.constantFrom('HEADER Subject hi', 'HEADER "X-Foo" ""', 'MODSEQ 1', 'MODSEQ "/flags/\\\\Seen" all 3', 'MODSEQ "/flags/$Junk" priv 0'),
    seqSet,
    seqSet.map((s) => `UID ${s}`),
    tie('key').map((k) => `NOT ${k}`),
    fc.tuple(tie('key'), tie('key')).map(([a, b]) => `OR ${a} ${b}`),
    fc.array(tie('key'), { minLength: 1, maxLength: 3 }).map((k) => `(${k.join(' ')})`),
  ),
})).key;

const statusItems = fc
  .array(
    fc.constantFrom(
      'MESSAGES',
      'RECENT',
      'UIDNEXT',
      'UIDVALIDITY',
      'UNSEEN',
      'SIZE',
      'HIGHESTMODSEQ',
      'DELETED',
      'APPENDLIMIT',
      'MAILBOXID',
      'BOGUS',
    ),
    {
      maxLength: 5,
    },
  )
  .map((a) => `(${a.join(' ')})`);

const capabilityName = fc.constantFrom(
  'CONDSTORE',
  'QRESYNC',
  'UTF8=ACCEPT',
  'IMAP4rev2',
  'IMAP4REV2',
  'ENABLE',
  'X-NOPE',
  'IDLE',
  'condstore',
);

const rights = fc.oneof(fc.constantFrom('lrswipkxtea', 'lr', '+w', '-w', 'rw', '', 'z', 'c', 'd', 'lrswipcda'), atom);
const identifier = fc.oneof(fc.constantFrom('anyone', 'alice@example.test', 'bob@example.test', '-anyone', 'nobody@nowhere'), atom);

const base64 = fc.oneof(
  fc.string({ maxLength: 30 }).map((s) => Buffer.from(s).toString('base64')),
  fc.constantFrom('=', '*', '', 'AGFsaWNl', '!!!', 'YQ', 'YWJj=', 'AA=='),
);

function argsFor(w: FuzzWorld, name: string): fc.Arbitrary<{ args: Token[]; responses?: string[] }> {
  const a = (arb: fc.Arbitrary<Token[]>, responses?: fc.Arbitrary<string[]>) =>
    responses ? fc.tuple(arb, responses).map(([args, r]) => ({ args, responses: r })) : arb.map((args) => ({ args }));
  const mb = mailbox(w);
  const sp = (x: fc.Arbitrary<Token[]>) => x.map((t): Token[] => [SP, ...t]);
  switch (name) {
    case 'CAPABILITY':
    case 'NOOP':
    case 'CHECK':
    case 'LOGOUT':
    case 'STARTTLS':
    case 'NAMESPACE':
    case 'CLOSE':
    case 'UNSELECT':
    case 'EXPUNGE':
      return a(fc.constant<Token[]>([]));
    case 'IDLE':
      return a(fc.constant([]), fc.constantFrom<string[]>(['DONE'], ['done'], ['DONE '], ['NOOP'], ['']));
    case 'LOGIN': {
      const user = fc.oneof({ weight: 3, arbitrary: fc.constant(w.user) }, { weight: 1, arbitrary: text });
      const pass = fc.oneof({ weight: 3, arbitrary: fc.constant(w.password) }, { weight: 1, arbitrary: text });
      return a(sp(joined([astringOf(user), astringOf(pass)])));
    }
    case 'AUTHENTICATE': {
      const good = Buffer.from(`\0${w.user}\0${w.password}`).toString('base64');
      const mech = fc.constantFrom('PLAIN', 'LOGIN', 'plain', 'XOAUTH2', 'OAUTHBEARER', 'CRAM-MD5');
      const ir = fc.oneof(
        fc.constant(''),
        fc.constant(' ' + good),
        base64.map((b) => ' ' + b),
      );
      const responses = fc.oneof(
        fc.constant<string[]>([good]),
        fc.constant<string[]>([Buffer.from(w.user).toString('base64'), Buffer.from(w.password).toString('base64')]),
        fc.array(base64, { maxLength: 2 }),
      );
      return a(
        fc.tuple(mech, ir).map(([m, i]) => [SP, m + i]),
        responses,
      );
    }
    case 'ENABLE':
      return a(fc.array(capabilityName, { maxLength: 3 }).map((c) => c.flatMap((x) => [SP, x])));
    case 'ID':
      return a(
        fc.oneof(
          fc.constant<Token[]>([SP, 'NIL']),
          fc
            .array(fc.tuple(text, fc.oneof(text, fc.constant(null))), { maxLength: 4 })
            .map((kv) => [
              SP,
              '(' +
                kv.map(([k, v]) => `${quote(k.replace(/[\r\n]/g, ''))} ${v === null ? 'NIL' : quote(v.replace(/[\r\n]/g, ''))}`).join(' ') +
                ')',
            ]),
        ),
      );
    case 'LIST': {
      const pattern = fc.oneof(fc.constantFrom('*', '%', 'fz*', 'fz%', 'INBOX', '', 'Other Users/*', 'Shared/%', '%/%'), mailboxName(w));
      const selection = fc
        .array(fc.constantFrom('SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE', 'BOGUS'), { maxLength: 3 })
        .map((s) => [SP, `(${s.join(' ')})`]);
      const ret = fc
        .array(
          fc.constantFrom(
            'SUBSCRIBED',
            'CHILDREN',
            'SPECIAL-USE',
            'MYRIGHTS',
            'STATUS (MESSAGES UIDNEXT)',
            'STATUS (SIZE UNSEEN)',
            'STATUS ()',
            'BOGUS',
          ),
          {
            maxLength: 3,
          },
        )
        .map((r) => [SP, 'RETURN', SP, `(${r.join(' ')})`]);
      const patterns = fc.oneof(
        astringOf(pattern),
        fc.array(pattern, { minLength: 1, maxLength: 3 }).map((ps) => ['(' + ps.map(quote).join(' ') + ')']),
      );
      return a(
        fc
          .tuple(opt(selection), astringOf(fc.constantFrom('', 'fz1', 'INBOX', '/')), patterns, opt(ret))
          .map(([s, r, p, t]) => [...s, SP, ...r, SP, ...p, ...t]),
      );
    }
    case 'LSUB':
      return a(sp(joined([astringOf(fc.constantFrom('', 'fz1')), astringOf(fc.constantFrom('*', '%', 'fz*'))])));
    case 'CREATE':
      return a(
        fc
          .tuple(
            mb,
            opt(fc.constantFrom('(USE (\\Sent))', '(USE (\\Junk \\Trash))', '(USE ())', '(USE (\\Bogus))', '(FOO)').map((s) => [SP, s])),
          )
          .map(([m, u]) => [SP, ...m, ...u]),
      );
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
    case 'GETACL':
    case 'MYRIGHTS':
    case 'GETQUOTAROOT':
      return a(sp(mb));
    case 'RENAME':
      return a(sp(joined([mb, mb])));
    case 'STATUS':
      return a(sp(joined([mb, one(statusItems)])));
    case 'SELECT':
    case 'EXAMINE': {
      const params = fc.oneof(
        fc.constant('(CONDSTORE)'),
        fc.constant('()'),
        fc
          .tuple(
            num,
            num,
            fc.oneof(
              fc.constant(''),
              seqSet.map((s) => ' ' + s),
            ),
            fc.oneof(
              fc.constant(''),
              fc.tuple(seqSet, seqSet).map(([x, y]) => ` (${x} ${y})`),
            ),
          )
          .map(([v, m, k, s]) => `(QRESYNC (${v} ${m}${k}${s}))`),
        fc.constant('(BOGUS)'),
      );
      return a(fc.tuple(mb, opt(params.map((p) => [SP, p]))).map(([m, p]) => [SP, ...m, ...p]));
    }
    case 'APPEND': {
      const one1 = fc
        .tuple(opt(flagList.map((f) => [SP, f])), opt(dateTime.map((d) => [SP, d])), message, fc.nat({ max: 7 }))
        .map(([f, d, m, form]): Token[] => {
          const data = Buffer.from(m, 'latin1');
          if (form === 6) return [...f, ...d, SP, 'UTF8 (', lit(data, false, true), ')'];
          return [...f, ...d, SP, lit(data, form <= 2, form === 3)];
        });
      return a(fc.tuple(mb, fc.array(one1, { minLength: 1, maxLength: 3 })).map(([m, msgs]) => [SP, ...m, ...msgs.flat()]));
    }
    case 'FETCH':
    case 'UID FETCH': {
      const mods = fc.constantFrom(
        '',
        ' (CHANGEDSINCE 1)',
        ' (CHANGEDSINCE 0)',
        ' (CHANGEDSINCE 5 VANISHED)',
        ' (VANISHED)',
        ' (BOGUS 1)',
        ' ()',
      );
      return a(fc.tuple(seqSet, fetchAtts, mods).map(([s, f, m]) => [SP, s, SP, f + m]));
    }
    case 'STORE':
    case 'UID STORE': {
      const item = fc.tuple(fc.constantFrom('', '+', '-'), fc.constantFrom('FLAGS', 'FLAGS.SILENT', 'FLAG', 'X-GM-LABELS'));
      const mods = fc.constantFrom('', ' (UNCHANGEDSINCE 1)', ' (UNCHANGEDSINCE 0)', ' (UNCHANGEDSINCE 18446744073709551615)', ' (BOGUS)');
      const flags = fc.oneof(flagList, flag);
      return a(fc.tuple(seqSet, mods, item, flags).map(([s, m, [sign, it], f]) => [SP, s + m, SP, sign + it, SP, f]));
    }
    case 'UID EXPUNGE':
      return a(seqSet.map((s) => [SP, s]));
    case 'COPY':
    case 'UID COPY':
    case 'MOVE':
    case 'UID MOVE':
      return a(fc.tuple(seqSet, mb).map(([s, m]) => [SP, s, SP, ...m]));
    case 'SEARCH':
    case 'UID SEARCH': {
      const ret = fc
        .array(fc.constantFrom('MIN', 'MAX', 'ALL', 'COUNT', 'SAVE', 'PARTIAL 1:5', 'BOGUS'), { maxLength: 3 })
        .map((r) => `RETURN (${r.join(' ')}) `);
      const charset = fc.constantFrom(
        'CHARSET UTF-8 ',
        'CHARSET US-ASCII ',
        'CHARSET ISO-8859-1 ',
        'CHARSET "utf-8" ',
        'CHARSET KOI8-R ',
        'CHARSET X-NONE ',
      );
      return a(
        fc
          .tuple(fc.oneof(fc.constant(''), ret), fc.oneof(fc.constant(''), charset), fc.array(searchKey, { minLength: 1, maxLength: 3 }))
          .map(([r, c, k]) => [SP, r + c + k.join(' ')]),
      );
    }
    case 'SETACL':
      return a(fc.tuple(mb, astringOf(identifier), astringOf(rights)).map(([m, i, r]) => [SP, ...m, SP, ...i, SP, ...r]));
    case 'DELETEACL':
    case 'LISTRIGHTS':
      return a(fc.tuple(mb, astringOf(identifier)).map(([m, i]) => [SP, ...m, SP, ...i]));
    case 'GETQUOTA':
      return a(sp(astringOf(fc.constantFrom('', 'INBOX', 'user', 'nope'))));
    case 'SETQUOTA':
      return a(
        fc
          .tuple(
            astringOf(fc.constantFrom('', 'INBOX')),
            fc.constantFrom('()', '(STORAGE 100)', '(MESSAGE 5)', '(STORAGE -1)', '(STORAGE)', '(STORAGE 18446744073709551616)'),
          )
          .map(([r, l]) => [SP, ...r, SP, l]),
      );
    default:
      // A command the registry has and this grammar does not: the coverage test names it.
      return a(fc.constant<Token[]>([]));
  }
}

/** The command names the grammar knows, by the states they are valid in (as the registry says; the test checks it). */
export const GRAMMAR_COMMANDS: readonly string[] = [
  'CAPABILITY', 'NOOP', 'CHECK', 'LOGOUT', 'STARTTLS', 'LOGIN', 'AUTHENTICATE', 'ENABLE', 'ID', 'NAMESPACE', 'LIST', 'LSUB',
  'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE', 'STATUS', 'SELECT', 'EXAMINE', 'APPEND', 'FETCH', 'UID FETCH',
  'STORE', 'UID STORE', 'EXPUNGE', 'UID EXPUNGE', 'COPY', 'UID COPY', 'MOVE', 'UID MOVE', 'CLOSE', 'UNSELECT', 'IDLE',
  'SEARCH', 'UID SEARCH', 'GETACL', 'SETACL', 'DELETEACL', 'LISTRIGHTS', 'MYRIGHTS', 'GETQUOTA', 'GETQUOTAROOT', 'SETQUOTA',
]; // prettier-ignore

/** Names tried besides the registry's: unknown, half-known, differently cased. */
const OTHER_NAMES = ['XYZZY', 'UID', 'UID NOOP', 'UID BOGUS', 'SORT', 'THREAD', 'COMPRESS', 'fetch', 'Uid Fetch', 'x-gm-ext'];

/** Commands a session in `state` is most interested in (others still come, less often). */
const FOCUS: Record<FuzzState, readonly string[]> = {
  'not-authenticated': ['CAPABILITY', 'NOOP', 'LOGIN', 'AUTHENTICATE', 'ID', 'STARTTLS', 'ENABLE', 'SELECT', 'APPEND'],
  authenticated: ['LIST', 'LSUB', 'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE', 'STATUS', 'SELECT', 'EXAMINE', 'APPEND', 'ENABLE', 'NAMESPACE', 'GETACL', 'SETACL', 'DELETEACL', 'LISTRIGHTS', 'MYRIGHTS', 'GETQUOTA', 'GETQUOTAROOT', 'SETQUOTA', 'ID'],
  selected: ['FETCH', 'UID FETCH', 'STORE', 'UID STORE', 'SEARCH', 'UID SEARCH', 'COPY', 'UID COPY', 'MOVE', 'UID MOVE', 'EXPUNGE', 'UID EXPUNGE', 'CHECK', 'NOOP', 'APPEND', 'STATUS', 'CLOSE', 'UNSELECT'],
  idle: ['IDLE'],
}; // prettier-ignore

const tagArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('*', '+', 'a(b', 'a{1}', '"q"', 'a%', 'a]b', 'a\\b', 'x'.repeat(100), 'ä') },
);

/** A well-formed (as far as the grammar goes) command for `state`; the tag is filled in by the caller when empty. */
export function commandArb(w: FuzzWorld, state: FuzzState, opts: { rareNames?: boolean } = {}): fc.Arbitrary<GeneratedCommand> {
  const focus = FOCUS[state];
  const names = fc.oneof(
    { weight: state === 'idle' ? 0 : 12, arbitrary: fc.constantFrom(...focus) },
    { weight: 4, arbitrary: fc.constantFrom(...GRAMMAR_COMMANDS.filter((n) => n !== 'LOGOUT')) },
    { weight: state === 'idle' ? 20 : 0, arbitrary: fc.constant('IDLE') },
    { weight: opts.rareNames === false ? 0 : 1, arbitrary: fc.constantFrom('LOGOUT', ...OTHER_NAMES) },
  );
  return fc
    .tuple(names, tagArb)
    .chain(([name, tag]) => argsFor(w, name.toUpperCase()).map(({ args, responses }) => ({ tag, name, args, responses: responses ?? [] })));
}

// --- mutations --------------------------------------------------------------

/** Tokens and characters the mutations bring in. */
const DICTIONARY = [
  '(', ')', '((', '))', '[', ']', '<', '>', '"', '\\', '*', '%', '$', ':', ',', '.', '~', '+', '-', '=', ' ', '  ', '\t',
  'NIL', '""', '()', '(())', '0', '-1', '4294967296', '18446744073709551616', '1:*', '\\Seen', '\\', 'BODY[', 'BODY[]<',
  'RETURN', 'CHARSET', 'UID', 'MODSEQ', 'NOT', 'OR', 'x'.repeat(300), '\xff', '\x80', 'ä', '\x01', '\0', '&', '&-', '&AGE',
]; // prettier-ignore

const dictToken = fc.constantFrom(...DICTIONARY);

type Mutation = (tokens: Token[]) => Token[];

/**
 * Token-level mutations. With `framing`, also ones that break the framing
 * (bare CR/LF, braces that may form a literal marker, a literal count that is
 * off): only where nothing waits on the count (the in-process tests).
 */
export function mutationArb(opts: { framing: boolean }): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const extra = opts.framing ? ['\r', '\n', '\r\n', '{', '}', '{5}', '{0+}', '~{1}', '{99999999999}'] : [];
  const token = extra.length ? fc.oneof(dictToken, fc.constantFrom(...extra)) : dictToken;
  const pick = (ts: Token[], i: number) => (ts.length ? i % ts.length : 0);
  return fc.oneof(
    // delete a token
    at.map(
      (i): Mutation =>
        (ts) =>
          ts.filter((_, k) => k !== pick(ts, i)),
    ),
    // duplicate one
    at.map(
      (i): Mutation =>
        (ts) =>
          ts.length ? [...ts.slice(0, pick(ts, i) + 1), ...ts.slice(pick(ts, i))] : ts,
    ),
    // insert a dictionary token
    fc.tuple(at, token).map(([i, t]): Mutation => (ts) => [...ts.slice(0, pick(ts, i)), t, ...ts.slice(pick(ts, i))]),
    // replace a token
    fc.tuple(at, token).map(
      ([i, t]): Mutation =>
        (ts) =>
          ts.map((x, k) => (k === pick(ts, i) ? t : x)),
    ),
    // swap two neighbours
    at.map((i): Mutation => (ts) => {
      const k = pick(ts, i);
      if (k + 1 >= ts.length) return ts;
      const out = ts.slice();
      [out[k], out[k + 1]] = [out[k + 1]!, out[k]!];
      return out;
    }),
    // cut the command short
    at.map(
      (i): Mutation =>
        (ts) =>
          ts.slice(0, pick(ts, i)),
    ),
    // change one character of a text token
    fc.tuple(at, at, fc.constantFrom(...DICTIONARY.filter((d) => d.length === 1), ...extra.filter((d) => d.length === 1))).map(
      ([i, j, c]): Mutation =>
        (ts) =>
          ts.map((x, k) => {
            if (k !== pick(ts, i) || typeof x !== 'string' || x.length === 0) return x;
            const p = j % x.length;
            const out = x.slice(0, p) + c + x.slice(p + 1);
            return opts.framing ? out : out.replace(/\}$/, ')');
          }),
    ),
    // a literal's kind changes (sync <-> LITERAL+, literal8)
    fc.tuple(at, fc.boolean(), fc.boolean()).map(
      ([i, sync, binary]): Mutation =>
        (ts) =>
          ts.map((x, k) => (k === pick(ts, i) && typeof x !== 'string' ? { ...x, sync, binary } : x)),
    ),
    // lower case everything
    fc.constant<Mutation>((ts) => ts.map((x) => (typeof x === 'string' ? x.toLowerCase() : x))),
  );
}

/** A command with up to `max` mutations applied to its arguments (and, one time in five, to its name). */
export function mutatedCommandArb(
  base: fc.Arbitrary<GeneratedCommand>,
  opts: { framing: boolean; max?: number },
): fc.Arbitrary<GeneratedCommand> {
  return fc
    .tuple(base, fc.array(mutationArb(opts), { minLength: 1, maxLength: opts.max ?? 3 }), fc.nat({ max: 4 }))
    .map(([cmd, muts, nameToo]) => {
      if (nameToo > 0) {
        let args = cmd.args.slice();
        for (const m of muts) args = m(args);
        return { ...cmd, args };
      }
      let tokens: Token[] = [cmd.name, ...cmd.args];
      for (const m of muts) tokens = m(tokens);
      const first = tokens[0];
      return typeof first === 'string' ? { ...cmd, name: first, args: tokens.slice(1) } : { ...cmd, name: '', args: tokens };
    });
}

// --- wire form ----------------------------------------------------------------

/** Ends a line the way a literal marker does (`{n}`, `{n+}`, `~{n}`). */
const MARKER_AT_END = /~?\{\d+\+?\}$/;

/** What ends a quoted string left open at the end of `line` (backslash escapes counted): nothing when none is. */
function quoteCloser(line: string): string {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    if (inQuote && line[i] === '\\') {
      if (i + 1 === line.length) return 'x"';
      i++;
    } else if (line[i] === '"') inQuote = !inQuote;
  }
  return inQuote ? '"' : '';
}

/**
 * The bytes of a command, cut where the client must wait for the server's
 * `+` (after each synchronizing literal's marker). With `safe`, a line that
 * mutations made end like a literal marker gets a trailing space, so that
 * only the command's own literals are literals.
 */
export function serialize(cmd: GeneratedCommand, tag: string, safe = true): Buffer[] {
  const segments: Buffer[] = [];
  let cur: Buffer[] = [];
  let line = `${tag} ${cmd.name}`;
  const endLine = (marker: string) => {
    if (safe && MARKER_AT_END.test(line)) line += ' ';
    // A marker inside an unterminated quoted string is no literal (the receiver's rule): close the string.
    if (safe && marker !== '\r\n') line += quoteCloser(line);
    cur.push(Buffer.from(line, 'latin1'), Buffer.from(marker, 'latin1'));
    line = '';
  };
  for (const t of cmd.args) {
    if (typeof t === 'string') {
      line += /[^\x00-\xff]/.test(t) ? Buffer.from(t, 'utf8').toString('latin1') : t;
      continue;
    }
    endLine(`${t.binary ? '~' : ''}{${t.literal.length}${t.sync ? '' : '+'}}\r\n`);
    if (t.sync) {
      segments.push(Buffer.concat(cur));
      cur = [];
    }
    cur.push(t.literal);
  }
  endLine('\r\n');
  segments.push(Buffer.concat(cur));
  return segments;
}
