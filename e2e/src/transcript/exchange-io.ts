// One exchange on the wire: the client's bytes go out, and the server's lines
// are read for as long as the exchange lasts (to the tagged reply, to a `+`
// when more of the command follows, or to as many lines as are expected).
import type { ImapClient } from '../../../services/imap-edge/test/support/imap-client.js';

export interface ExchangeReading {
  /** The command's tag ('' for none). */
  tag: string;
  /** The command's last exchange: no `+` ends it. */
  last: boolean;
  /**
   * Read to the tagged reply (or, before the last exchange, a `+`); otherwise,
   * when no tagged line is expected (an untagged BAD for garbage), read exactly
   * `expectedLines` lines.
   */
  untilTagged: boolean;
  expectedLines: number;
  timeoutMs: number;
}

export interface ExchangeAnswer {
  /** The logical lines received, literals included. */
  lines: string[];
  /** The tagged reply came: the command is over. */
  tagged: boolean;
  /** The first line of a read error (a timeout, the connection closed). */
  error?: string;
}

/** Sends `data` and reads the server's answer to it. Never throws. */
export async function exchange(client: ImapClient, data: Buffer, reading: ExchangeReading): Promise<ExchangeAnswer> {
  client.send(data);
  const { tag, last } = reading;
  const lines: string[] = [];
  let tagged = false;
  let error: string | undefined;
  const deadline = Date.now() + reading.timeoutMs;
  try {
    for (;;) {
      if (reading.untilTagged) {
        const line = (await client.readLine(Math.max(1, deadline - Date.now()))).text;
        lines.push(line);
        if (tag && line.startsWith(tag + ' ')) {
          tagged = true;
          break;
        }
        if (!last && line.startsWith('+')) break;
      } else {
        if (lines.length >= reading.expectedLines) break;
        lines.push((await client.readLine(Math.max(1, deadline - Date.now()))).text);
      }
    }
  } catch (err) {
    error = (err as Error).message.split('\n')[0];
  }
  return { lines, tagged, error };
}
