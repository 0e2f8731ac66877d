// What a removal reports.
import { plural, type Removal } from '@kimap/mailbox';

/** " (2 accounts, 12 mailboxes, 6 messages, 1 alias)", or '' when nothing but the named thing went. */
export function removed(r: Removal, withAccounts: boolean): string {
  const parts = [
    ...(withAccounts && r.accounts ? [plural(r.accounts, 'account')] : []),
    ...(r.mailboxes ? [plural(r.mailboxes, 'mailbox')] : []),
    ...(r.messages ? [plural(r.messages, 'message')] : []),
    ...(r.aliases ? [plural(r.aliases, 'alias')] : []),
  ];
  return parts.length ? ` (${parts.join(', ')})` : '';
}
