// RFC 5322 address lists to ENVELOPE addresses, forgiving the way Dovecot
// is: a broken address still yields an entry, with MISSING_MAILBOX /
// MISSING_DOMAIN / SYNTAX_ERROR / INVALID_ROUTE filling the holes, so
// clients see the same thing from us as from Dovecot.
import { Rfc822Scanner } from './rfc822.js';
import type { Address } from './types.js';

interface Draft {
  name: string | null;
  route: string | null;
  mailbox: string | null;
  domain: string | null;
  invalid: boolean;
}

const empty = (): Draft => ({ name: null, route: null, mailbox: null, domain: null, invalid: false });

class AddressParser {
  readonly out: Address[] = [];
  private addr: Draft = empty();
  readonly sc: Rfc822Scanner;

  constructor(value: string) {
    this.sc = new Rfc822Scanner(value, true);
  }

  private push(): void {
    const a = this.addr;
    this.out.push({ name: a.name, route: a.route, mailbox: a.mailbox, host: a.domain });
    this.addr = empty();
  }

  private pushFilled(): void {
    if (this.addr.mailbox === null) this.addr.mailbox = 'MISSING_MAILBOX';
    if (this.addr.domain === null || this.addr.domain === '') this.addr.domain = 'MISSING_DOMAIN';
    this.push();
  }

  private localPart(): -1 | 0 | 1 {
    const sc = this.sc;
    const out: string[] = [];
    const r = sc.peek() === 0x22 ? sc.parseQuotedString(out) : sc.parseDotAtom(out);
    if (r < 0) return -1;
    this.addr.mailbox = out.join('');
    return r;
  }

  private domain(): -1 | 0 | 1 {
    const out: string[] = [];
    const r = this.sc.parseDomain(out);
    if (r < 0) return -1;
    this.addr.domain = out.join('');
    return r;
  }

  /** obs-domain-list: @a,@b */
  private domainList(): -1 | 0 | 1 {
    const sc = this.sc;
    const parts: string[] = [];
    for (;;) {
      if (sc.atEnd) return 0;
      if (sc.peek() !== 0x40) break;
      const d: string[] = [];
      const r = sc.parseDomain(d);
      parts.push('@' + d.join(''));
      if (r <= 0) return r;
      while (sc.skipLwsp() > 0 && sc.peek() === 0x2c) sc.pos++;
    }
    this.addr.route = parts.join(',');
    return 1;
  }

  /** "<" [route ":"] local-part "@" domain ">" */
  private angleAddr(): -1 | 0 | 1 {
    const sc = this.sc;
    sc.pos++;
    if (sc.skipLwsp() <= 0) return -1;
    if (sc.peek() === 0x40) {
      if (this.domainList() > 0 && sc.peek() === 0x3a) {
        sc.pos++;
      } else {
        this.addr.route = 'INVALID_ROUTE';
        if (sc.atEnd) return -1;
      }
      if (sc.skipLwsp() <= 0) return -1;
    }
    if (sc.peek() !== 0x3e) {
      if (this.localPart() <= 0) return -1;
      if (sc.peek() === 0x40 && this.domain() <= 0) return -1;
    }
    if (sc.peek() !== 0x3e) return -1;
    sc.pos++;
    return sc.skipLwsp();
  }

  /** [display-name] angle-addr */
  private nameAddr(): -1 | 0 | 1 {
    const sc = this.sc;
    const phrase: string[] = [];
    if (sc.parsePhrase(phrase) <= 0 || sc.peek() !== 0x3c) return -1;
    const name = phrase.join('');
    this.addr.name = name === '' ? null : name;
    if (this.angleAddr() < 0) {
      this.addr.domain = 'SYNTAX_ERROR';
      this.addr.invalid = true;
    }
    return sc.atEnd ? 0 : 1;
  }

  /** local-part "@" domain, with the display name taken from a trailing comment. */
  private addrSpec(): -1 | 0 | 1 {
    const sc = this.sc;
    sc.lastComment = '';
    const quoted = sc.peek() === 0x22;
    let r = this.localPart();
    if (r <= 0) this.addr.invalid = true;
    let r2: number = -2;
    if (r !== 0 && !sc.atEnd && sc.peek() === 0x40) {
      r2 = this.domain();
      if (r2 <= 0) r = r2 as -1 | 0;
    }
    if (sc.lastComment) {
      this.addr.name = sc.lastComment;
    } else if (r2 === -2) {
      // "user" alone is a mailbox; "user more words" was a display name
      const phrase: string[] = [this.addr.mailbox ?? '', ' '];
      const before = phrase.join('').length;
      sc.parsePhrase(phrase);
      const joined = phrase.join('');
      if (joined.length !== before) {
        this.addr.mailbox = null;
        this.addr.name = joined;
      } else if (!quoted) {
        this.addr.domain = '';
      }
      this.addr.invalid = true;
      r = -1;
    }
    return r;
  }

  private mailbox(): -1 | 0 | 1 {
    const sc = this.sc;
    const start = sc.pos;
    let r = this.nameAddr();
    if (r < 0) {
      sc.pos = start;
      this.addr = empty();
      r = this.addrSpec();
      const a = this.addr;
      if (a.invalid && a.name === null && a.mailbox !== null && a.domain === null) {
        a.name = a.mailbox;
        a.mailbox = null;
      }
    }
    this.pushFilled();
    return r;
  }

  /** display-name ":" [mailbox-list] ";" */
  private group(): -1 | 0 | 1 {
    const sc = this.sc;
    const phrase: string[] = [];
    if (sc.parsePhrase(phrase) <= 0 || sc.peek() !== 0x3a) return -1;
    sc.pos++;
    let r = sc.skipLwsp();
    this.addr.mailbox = phrase.join('');
    this.push();
    if (r > 0 && sc.peek() !== 0x3b) {
      for (;;) {
        this.mailbox();
        if (sc.atEnd || sc.peek() !== 0x2c) break;
        sc.pos++;
        if (sc.skipLwsp() <= 0) {
          r = -1;
          break;
        }
      }
    }
    if (r >= 0) {
      if (sc.atEnd || sc.peek() !== 0x3b) r = -1;
      else {
        sc.pos++;
        r = sc.skipLwsp();
      }
    }
    this.push(); // end of group: all NIL
    return r === 0 ? 0 : 1;
  }

  private address(): -1 | 0 | 1 {
    const start = this.sc.pos;
    const r = this.group();
    if (r >= 0) return r;
    this.sc.pos = start;
    this.addr = empty();
    return this.mailbox();
  }

  parseList(): void {
    const sc = this.sc;
    if (sc.skipLwsp() <= 0) return;
    for (let guard = 0; guard < 100000; guard++) {
      if (this.address() === 0) break;
      if (sc.atEnd || sc.peek() !== 0x2c) break;
      sc.pos++;
      const r = sc.skipLwsp();
      if (r <= 0) {
        if (r < 0) this.pushFilled(); // ends with garbage
        break;
      }
    }
  }
}

/** An address-list header value (raw, folding allowed) to ENVELOPE addresses; null when empty. */
export function parseAddressList(value: string | null): Address[] | null {
  if (value === null) return null;
  const p = new AddressParser(value);
  p.parseList();
  return p.out.length > 0 ? p.out : null;
}
