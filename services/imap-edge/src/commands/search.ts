// SEARCH and UID SEARCH, with ESEARCH return options (RFC 4731, 9051),
// SEARCHRES (RFC 5182) and the MODSEQ of CONDSTORE searches (RFC 7162).
// The grammar is in search-keys.ts, the charsets in search-charsets.ts, the
// program sent to the mailbox service in search-criteria.ts.
import { uidRuns } from '@kimap/common';
import { int64At } from '@kimap/common/columns';
import type { FetchQuery, UidRanges } from '../backend.js';
import { formatUidSet } from '../protocol/index.js';
import { defineCommand, SELECTED } from './command.js';
import { enableCondstore } from './condstore.js';
import type { CommandContext } from './context.js';
import { toSearchCriteria } from './search-criteria.js';
import { parseSearch, usesModseq } from './search-keys.js';
import { resolveUids } from './sequence.js';

/** The highest MODSEQ among these messages of the selected mailbox (0: none of them is left). */
async function highestModseqOf(ctx: CommandContext, uids: number[]): Promise<number> {
  const mb = ctx.session.selected!;
  let highest = 0;
  const ranges: UidRanges = uidRuns(uids);
  const query: FetchQuery = { owner: mb.owner, mailboxId: mb.mailboxId, uids: ranges, flags: false, modseq: true, columns: true };
  await ctx.backend.fetch(ctx.session.principal!, query, (messages, columns) => {
    if (columns) for (let i = 0; i < columns.count; i++) highest = Math.max(highest, int64At(columns.modseqs, i));
    for (const m of messages) highest = Math.max(highest, Number(m.modseq));
  });
  return highest;
}

export const search = defineCommand({
  names: ['SEARCH', 'UID SEARCH'],
  states: SELECTED,
  capabilities: ['ESEARCH', 'SEARCHRES', 'WITHIN'],
  expungeAllowed: false,
  parse: (p, name) => parseSearch(p, name === 'UID SEARCH'),
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const mb = session.selected!;
    const { criteria, returnOptions, uid } = cmd.args;
    if (usesModseq(criteria)) enableCondstore(ctx);
    const program = toSearchCriteria(
      criteria,
      (set, isUid) => resolveUids(mb, set, isUid, session.savedSearch, 'none').ranges,
      mb.recentRanges,
    );
    // Flags, sizes, dates and MODSEQs alone: the edge's view of the mailbox answers while the feed is current.
    let res = ctx.views ? await ctx.views.search(session.principal!, mb, program) : undefined;
    if (!res) {
      res = await ctx.backend.search(session.principal!, mb, program);
      // What it found may be newer than the session's MODSEQ: a view answering later must not be older.
      mb.noteShown(res.highestModseq);
    }
    // Messages the session has not been told about (no EXISTS yet) are left out.
    const uids = res.uids.filter((u) => mb.seqOf(u) > 0);
    const numbers = uid ? uids : uids.map((u) => mb.seqOf(u));
    const esearch = returnOptions !== undefined || session.enabled.has('IMAP4REV2');
    const opts = returnOptions && returnOptions.length > 0 ? returnOptions : ['ALL'];
    let modseq: number | undefined;
    if (usesModseq(criteria) && uids.length > 0) {
      // RFC 4731 3.2: MIN or MAX alone (no ALL, no COUNT) answer for the messages they name; otherwise every message found counts.
      const extremes = esearch && !opts.includes('ALL') && !opts.includes('COUNT');
      const returned = extremes
        ? [...new Set([...(opts.includes('MIN') ? [uids[0]!] : []), ...(opts.includes('MAX') ? [uids[uids.length - 1]!] : [])])]
        : uids;
      // The service's figure when it is about the same messages (always, but for MIN/MAX or messages not announced
      // yet); when those are expunged meanwhile, the figure for all.
      if (returned.length > 0)
        modseq = returned.length === res.uids.length ? res.highestModseq : (await highestModseqOf(ctx, returned)) || res.highestModseq;
    }

    if (opts.includes('SAVE')) {
      // With MIN and/or MAX but not ALL, only those messages are saved (RFC 5182 2.4).
      const onlyExtremes = !opts.includes('ALL') && (opts.includes('MIN') || opts.includes('MAX'));
      session.savedSearch = onlyExtremes
        ? [...new Set([opts.includes('MIN') ? uids[0] : undefined, opts.includes('MAX') ? uids[uids.length - 1] : undefined])].filter(
            (u): u is number => u !== undefined,
          )
        : uids;
    }
    if (!esearch) {
      enc
        .untagged()
        .raw('SEARCH' + numbers.map((n) => ' ' + n).join('') + (modseq !== undefined ? ` (MODSEQ ${modseq})` : ''))
        .crlf();
    } else if (!(opts.length === 1 && opts[0] === 'SAVE')) {
      // SAVE alone answers no ESEARCH (RFC 5182 2.1).
      enc.untagged().raw('ESEARCH (TAG ').quoted(cmd.tag).raw(')');
      if (uid) enc.raw(' UID');
      if (opts.includes('MIN') && numbers.length) enc.raw(` MIN ${numbers[0]}`);
      if (opts.includes('MAX') && numbers.length) enc.raw(` MAX ${numbers[numbers.length - 1]}`);
      if (opts.includes('ALL') && numbers.length) enc.raw(` ALL ${formatUidSet([...numbers].sort((a, b) => a - b))}`);
      if (opts.includes('COUNT')) enc.raw(` COUNT ${numbers.length}`);
      if (modseq !== undefined) enc.raw(` MODSEQ ${modseq}`);
      enc.crlf();
    }
    return { text: `${cmd.name} completed` };
  },
});
