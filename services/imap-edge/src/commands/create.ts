// CREATE, with CREATE-SPECIAL-USE's USE parameter (RFC 6154).
import type { CommandParser } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { targetFromWire } from './names.js';

/** The special-use attributes a mailbox may be created with. */
const SPECIAL_USES = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'];
/** Every attribute of the special-use registry, for its canonical spelling (\Important, RFC 8457, is known but not supported). */
const USE_ATTRIBUTES = new Map([...SPECIAL_USES, '\\Important'].map((a) => [a.toLowerCase(), a] as const));

export interface CreateArgs {
  readonly mailbox: string;
  /** Special-use attributes from `(USE (\Drafts ...))`, canonical case for known ones. */
  readonly specialUse: string[];
}

/** `CREATE SP mailbox [SP "(" create-param *(SP create-param) ")"]`; only USE is supported. */
export function parseCreate(p: CommandParser): CreateArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  const specialUse: string[] = [];
  if (p.trySP()) {
    p.expectList(
      (q) => {
        // RFC 4466: unknown create parameters must be rejected.
        if (!q.tryKeyword('USE')) q.fail('Unsupported CREATE parameter');
        q.expectSP();
        q.expectList((r) => {
          r.expectChar('\\');
          const attr = '\\' + r.expectAtom();
          specialUse.push(USE_ATTRIBUTES.get(attr.toLowerCase()) ?? attr);
        });
      },
      { allowEmpty: false },
    );
  }
  p.expectEnd();
  return { mailbox, specialUse };
}

export const create = defineCommand({
  names: ['CREATE'],
  states: AUTHENTICATED,
  capabilities: ['CREATE-SPECIAL-USE'],
  parse: parseCreate,
  async run(ctx, cmd) {
    const target = targetFromWire(ctx.session, cmd.args.mailbox.replace(/\/$/, ''));
    if (!target.owner && target.name === 'INBOX') throw new ImapNo('ALREADYEXISTS', 'INBOX always exists');
    const uses = cmd.args.specialUse;
    if (uses.some((u) => !SPECIAL_USES.includes(u))) throw new ImapNo('USEATTR', 'Unsupported special-use attribute');
    if (uses.length > 1) throw new ImapNo('USEATTR', 'Only one special-use attribute per mailbox');
    await ctx.backend.createMailbox(ctx.session.principal!, target, uses[0] ?? '');
    return { text: 'CREATE completed' };
  },
});
