// The greeting's capabilities, STARTTLS and implicit TLS, and LOGIN (refused
// before TLS, failing with a wrong password), against the edge wired for real.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, ALICE, CAPS_AUTH, CAPS_PREAUTH_TLS, useEdgeServices } from './support/edge-harness.js';

describe('IMAP edge: greeting, STARTTLS, implicit TLS and LOGIN', () => {
  const { plain, secure } = useEdgeServices();

  test('plaintext greeting advertises STARTTLS and LOGINDISABLED', async () => {
    const { c, greeting } = await plain();
    assert.equal(greeting, `* OK [CAPABILITY ${CAPS_AUTH} STARTTLS LOGINDISABLED] test IMAP ready`);
    const r = await c.command('a', 'CAPABILITY');
    assert.deepEqual(r.untagged, [`* CAPABILITY ${CAPS_AUTH} STARTTLS LOGINDISABLED`]);
    assert.equal(r.tagged, 'a OK CAPABILITY completed');
  });

  test('LOGIN before STARTTLS is refused with PRIVACYREQUIRED; after STARTTLS it works', async () => {
    const { c } = await plain();
    const r1 = await c.command('a', `LOGIN "${ALICE}" "${PASSWORD}"`);
    assert.deepEqual(r1.untagged, []);
    assert.match(r1.tagged, /^a NO \[PRIVACYREQUIRED\] /);

    const r2 = await c.command('b', 'STARTTLS');
    assert.deepEqual(r2.untagged, []);
    assert.equal(r2.tagged, 'b OK Begin TLS negotiation now');
    await c.startTls();
    assert.ok(c.encrypted);

    const r3 = await c.command('c', 'CAPABILITY');
    assert.deepEqual(r3.untagged, [`* CAPABILITY ${CAPS_PREAUTH_TLS}`], 'no STARTTLS / LOGINDISABLED once TLS is on');
    assert.equal(r3.tagged, 'c OK CAPABILITY completed');

    const r4 = await c.command('d', `LOGIN "${ALICE}" "${PASSWORD}"`);
    assert.equal(r4.tagged, `d OK [CAPABILITY ${CAPS_AUTH}] Logged in`);
    const r5 = await c.command('e', 'NOOP');
    assert.equal(r5.tagged, 'e OK NOOP completed');
  });

  test('plaintext pipelined after STARTTLS is discarded, not executed inside TLS', async () => {
    const { c } = await plain();
    c.send(`a STARTTLS\r\nb LOGIN "${ALICE}" "${PASSWORD}"\r\n`);
    const r = await c.readTagged('a');
    assert.equal(r.tagged, 'a OK Begin TLS negotiation now');
    await c.startTls();
    // The injected LOGIN must not have run: still not authenticated.
    const r2 = await c.command('c', 'CAPABILITY');
    assert.deepEqual(r2.untagged, [`* CAPABILITY ${CAPS_PREAUTH_TLS}`]);
    assert.equal(r2.tagged, 'c OK CAPABILITY completed');
    const r3 = await c.command('d', 'SELECT INBOX');
    assert.match(r3.tagged, /^d BAD /, 'SELECT is refused: the pipelined LOGIN was dropped');
  });

  test('implicit-TLS port: no STARTTLS/LOGINDISABLED, LOGIN works directly', async () => {
    const { c, greeting } = await secure();
    assert.equal(greeting, `* OK [CAPABILITY ${CAPS_PREAUTH_TLS}] test IMAP ready`);
    const r = await c.command('a', `LOGIN "${ALICE}" "${PASSWORD}"`);
    assert.deepEqual(r.untagged, []);
    assert.equal(r.tagged, `a OK [CAPABILITY ${CAPS_AUTH}] Logged in`);
  });

  test('wrong password -> NO [AUTHENTICATIONFAILED], session stays usable', async () => {
    const { c } = await secure();
    const r = await c.command('a', `LOGIN "${ALICE}" "wrong-password"`);
    assert.deepEqual(r.untagged, []);
    assert.match(r.tagged, /^a NO \[AUTHENTICATIONFAILED\] /);
    const r2 = await c.command('b', 'LOGIN nobody@example.test whatever');
    assert.match(r2.tagged, /^b NO \[AUTHENTICATIONFAILED\] /);
    const r3 = await c.command('c', `LOGIN "${ALICE}" "${PASSWORD}"`);
    assert.equal(r3.tagged, `c OK [CAPABILITY ${CAPS_AUTH}] Logged in`);
  });
});
