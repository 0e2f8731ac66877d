// CONDSTORE turned on by use (RFC 7162 3.1): ENABLE, SELECT/EXAMINE
// (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH of MODSEQ or with CHANGEDSINCE,
// SEARCH by MODSEQ and STORE with UNCHANGEDSINCE each turn it on for the rest
// of the session.
import type { CommandContext } from './context.js';

/**
 * Turns CONDSTORE (or QRESYNC, which implies it) on. The first time, with a
 * mailbox selected, the client is told its HIGHESTMODSEQ in an untagged OK
 * (RFC 7162 3.1), the point from which MODSEQs it will be sent count: as
 * Dovecot does, before the command's own responses.
 */
export function enableCondstore(ctx: CommandContext, extension: 'CONDSTORE' | 'QRESYNC' = 'CONDSTORE'): void {
  const { session } = ctx;
  const before = session.condstore;
  session.enabled.add(extension);
  const mb = session.selected;
  if (!before && mb) ctx.enc.status(null, 'OK', 'Highest', `HIGHESTMODSEQ ${mb.highestModseq}`);
}
