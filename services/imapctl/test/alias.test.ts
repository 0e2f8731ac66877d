// imapctl alias add|remove|list against PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAddress } from '@kimap/mailbox';
import { failure, startCtl, type Ctl } from './support/ctl.js';

describe('imapctl alias', () => {
  let ctl: Ctl;
  before(async () => {
    ctl = await startCtl();
    for (const d of ['example.org', 'other.org']) assert.equal((await ctl('tenant', 'add', d)).code, 0);
    for (const u of ['bob@example.org', 'carol@example.org', 'dan@other.org']) {
      assert.equal((await ctl('user', 'add', u, '--password', 'a-password')).code, 0);
    }
  });
  after(() => ctl.tdb.drop());

  test('add: an address or a catch-all of the domain, for an account of the same tenant', async () => {
    assert.deepEqual(await ctl('alias', 'add', 'Sales@Example.org', 'BOB@example.org'), {
      code: 0,
      out: ['alias sales@example.org added for bob@example.org'],
      err: [],
    });
    assert.deepEqual((await ctl('alias', 'add', '@example.org', 'carol@example.org')).out, [
      'alias @example.org added for carol@example.org',
    ]);
    assert.equal((await resolveAddress(ctl.tdb.db, 'sales+q3@example.org'))?.username, 'bob@example.org');
    assert.equal((await resolveAddress(ctl.tdb.db, 'anyone@example.org'))?.username, 'carol@example.org');
  });

  test('add: each bad input refused with one line, the alias checked before its account', async () => {
    const cases: Array<[string[], number, string]> = [
      [['alias', 'add', 'sales', 'bob@example.org'], 2, 'Not an alias: "sales" (expected user@domain, or @domain for a catch-all)'],
      [
        ['alias', 'add', '@bad domain', 'bob@example.org'],
        2,
        'Not an alias: "@bad domain" (expected user@domain, or @domain for a catch-all)',
      ],
      [['alias', 'add', 'x@nowhere.org', 'bob@example.org'], 1, 'Tenant nowhere.org does not exist'],
      [['alias', 'add', 'x@nowhere.org', 'not-an-address'], 1, 'Tenant nowhere.org does not exist'],
      [['alias', 'add', 'sales@example.org', 'carol@example.org'], 1, 'Alias sales@example.org exists (for bob@example.org)'],
      [['alias', 'add', '@example.org', 'bob@example.org'], 1, 'Alias @example.org exists (for carol@example.org)'],
      [['alias', 'add', 'carol@example.org', 'bob@example.org'], 1, 'carol@example.org is an account; an alias cannot have its address'],
      [['alias', 'add', 'info@example.org', 'bob'], 2, 'Not a mail address: "bob" (expected user@domain)'],
      [['alias', 'add', 'info@example.org', 'ghost@example.org'], 1, 'User ghost@example.org does not exist'],
      [['alias', 'add', 'info@example.org', 'sales@example.org'], 2, 'sales@example.org is an alias; an alias must name an account'],
      [['alias', 'add', 'info@example.org', 'dan@other.org'], 2, 'dan@other.org belongs to another tenant than example.org'],
      [['alias', 'add', '@other.org', 'bob@example.org'], 2, 'bob@example.org belongs to another tenant than other.org'],
      [['alias', 'add', 'info@example.org'], 2, 'alias add needs <address>'],
      [['alias', 'add'], 2, 'alias add needs <alias> <address>'],
      [['alias', 'add', 'a@example.org', 'bob@example.org', 'c'], 2, 'too many arguments for alias add: c'],
    ];
    for (const [argv, code, message] of cases) {
      assert.deepEqual(failure(await ctl(...argv)), [code, `imapctl: ${message}`], argv.join(' '));
    }
    const { rows } = await ctl.tdb.db.query<{ address: string }>('SELECT address FROM aliases ORDER BY address');
    assert.deepEqual(
      rows.map((r) => r.address),
      ['@example.org', 'sales@example.org'],
      'nothing else written',
    );
    // An alias's address cannot become an account either.
    assert.deepEqual(failure(await ctl('user', 'add', 'sales@example.org', '--password', 'a-password')), [
      1,
      'imapctl: sales@example.org is an alias of bob@example.org',
    ]);
  });

  test('list: all, of a domain or of an account, tab-separated; --json', async () => {
    await ctl('alias', 'add', 'dan.smith@other.org', 'dan@other.org');
    assert.deepEqual((await ctl('alias', 'list')).out, [
      '@example.org\tcarol@example.org',
      'dan.smith@other.org\tdan@other.org',
      'sales@example.org\tbob@example.org',
    ]);
    assert.deepEqual((await ctl('alias', 'list', 'example.org')).out, [
      '@example.org\tcarol@example.org',
      'sales@example.org\tbob@example.org',
    ]);
    assert.deepEqual((await ctl('alias', 'list', 'bob@example.org')).out, ['sales@example.org\tbob@example.org']);
    assert.deepEqual(
      (await ctl('alias', 'list', 'other.org', '--json')).out.map((l) => JSON.parse(l) as unknown),
      [{ alias: 'dan.smith@other.org', target: 'dan@other.org' }],
    );
    assert.deepEqual(failure(await ctl('alias', 'list', 'nowhere.org')), [1, 'imapctl: Tenant nowhere.org does not exist']);
    assert.deepEqual(failure(await ctl('alias', 'list', 'ghost@example.org')), [1, 'imapctl: User ghost@example.org does not exist']);
  });

  test('remove: an alias or a catch-all; unknown ones refused; a removed account takes its aliases along', async () => {
    assert.deepEqual((await ctl('alias', 'remove', 'SALES@example.org')).out, [
      'alias sales@example.org removed (it was for bob@example.org)',
    ]);
    assert.deepEqual((await ctl('alias', 'remove', '@example.org')).out, ['alias @example.org removed (it was for carol@example.org)']);
    assert.deepEqual(failure(await ctl('alias', 'remove', 'sales@example.org')), [1, 'imapctl: Alias sales@example.org does not exist']);
    assert.deepEqual(failure(await ctl('alias', 'remove', 'sales')), [
      2,
      'imapctl: Not an alias: "sales" (expected user@domain, or @domain for a catch-all)',
    ]);
    assert.equal(await resolveAddress(ctl.tdb.db, 'anyone@example.org'), undefined);
    await ctl('user', 'remove', 'dan@other.org');
    assert.deepEqual((await ctl('alias', 'list', 'other.org')).out, []);
  });
});
