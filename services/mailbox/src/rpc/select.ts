import type { SelectRequest__Output } from '@kimap/common/generated/mail/v1/SelectRequest';
import type { SelectResponse } from '@kimap/common/generated/mail/v1/SelectResponse';
import type { MailboxContext } from '../context.js';
import { mailboxAccess, requireRight } from '../store/acl.js';
import { mailboxStatus, selectMailbox, type SelectedMailbox } from '../store/mailboxes.js';
import { normalizeMailboxName } from '../store/names.js';
import { accountOf, serverStream } from './handler.js';

/** Runs per gRPC message: 32 Ki runs packed is about 300 KB. */
const RUN_CHUNK = 32768;

export const Select = (ctx: MailboxContext) =>
  serverStream<SelectRequest__Output, SelectResponse>(ctx.log, 'Select', async function* (req, cancelled) {
    const principal = accountOf(req);
    let accountId = principal;
    let rights = '';
    if (req.owner) {
      const access = await mailboxAccess(ctx.db, principal, req.owner, req.name);
      requireRight(access, 'r', 'SELECT');
      accountId = access.ownerId;
      rights = access.rights;
    }
    // A grantee without a right to change anything has the mailbox read-only, as EXAMINE.
    const claim = req.claimRecent && (!req.owner || /[iestw]/.test(rights));
    // A grantee's \Seen is its own: the first message it has not seen.
    const firstUnseen = req.firstUnseen ? { reader: req.owner ? principal : undefined } : undefined;
    const memory = await fromMemory(ctx, accountId, req.name, claim, firstUnseen);
    const selected = memory.selected ?? (await selectMailbox(ctx.db, accountId, req.name, claim && !memory.claimed, firstUnseen));
    const { runs } = selected;
    // The status statement of the memory path claimed already: its claim stands.
    const status = memory.claimed ? { ...selected.status, ...memory.claimed } : selected.status;
    yield { status: rights ? { ...status, rights } : status };
    for (let i = 0; i < runs.first.length && !cancelled(); i += RUN_CHUNK) {
      yield { runs: { first: runs.first.slice(i, i + RUN_CHUNK), last: runs.last.slice(i, i + RUN_CHUNK) } };
    }
  });

/**
 * A big mailbox whose UIDs the metadata cache holds: its row, then the UIDs
 * from memory (brought up to date). Two statements, so they must agree: the
 * same HIGHESTMODSEQ and message count, or the one-statement SELECT answers.
 * When the name selected a mailbox before, both statements run at once on
 * that guess, which the row then confirms (or the UIDs are read for the
 * mailbox the row names).
 */
async function fromMemory(
  ctx: MailboxContext,
  accountId: number,
  name: string,
  claimRecent: boolean,
  firstUnseen: { reader?: number } | undefined,
): Promise<{ selected?: SelectedMailbox; claimed?: Pick<SelectedMailbox['status'], 'claimedFirst' | 'claimedLast'> }> {
  const cache = ctx.metadata;
  if (!cache?.holds(accountId)) return {};
  const normalized = normalizeMailboxName(name);
  const guess = cache.mailboxIdOf(accountId, normalized);
  const [status, guessed] = await Promise.all([
    mailboxStatus(ctx.db, accountId, name, { claimRecent, firstUnseen }),
    guess === undefined ? undefined : cache.uidRuns(ctx.db, accountId, guess),
  ]);
  const claimed = claimRecent ? { claimedFirst: status.claimedFirst, claimedLast: status.claimedLast } : undefined;
  const held = status.mailboxId === guess ? guessed : await cache.uidRuns(ctx.db, accountId, status.mailboxId);
  if (held) cache.noteName(accountId, normalized, status.mailboxId);
  if (!held || held.modseq !== status.highestmodseq || held.count !== status.messages) return claimed ? { claimed } : {};
  return { selected: { status, runs: held.runs } };
}
