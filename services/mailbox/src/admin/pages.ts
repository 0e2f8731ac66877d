// Shapes the admin handlers share: page tokens and removal counts.
import type { RemovalCounts } from '@kimap/common/generated/mail/v1/RemovalCounts';
import type { Removal } from '../store/removal.js';

/** The key of a full page's last row, from which the next page starts; '' after the last page. */
export function nextPageToken<T>(rows: readonly T[], limit: number, keyOf: (row: T) => string): string {
  return rows.length === limit ? keyOf(rows[rows.length - 1]!) : '';
}

export function removalCounts({ accounts, mailboxes, messages, bodies, aliases }: Removal): RemovalCounts {
  return { accounts, mailboxes, messages, bodies, aliases };
}
