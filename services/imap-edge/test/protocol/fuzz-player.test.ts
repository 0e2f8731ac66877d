// The fuzz player's own judgement against a scripted server: a BYE the RFC
// allows that arrives during one of the player's helper commands ends the
// connection cleanly, and a close without BYE is still a violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FuzzPlayer, FuzzViolation } from '../support/fuzz-player.js';
import type { GeneratedCommand } from '../support/imap-grammar.js';

/** A server that answers each command line with `answer(tag, command)`, then closes if it says so. */
async function scripted(answer: (tag: string, command: string) => { reply: string; close?: boolean }): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.write('* OK ready\r\n');
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const [tag = '', command = ''] = line.split(' ');
        const { reply, close } = answer(tag, command.toUpperCase());
        socket.write(reply);
        if (close) {
          socket.end();
          return;
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const noop: GeneratedCommand = { tag: 'n1', name: 'NOOP', args: [], responses: [] };
const world = { user: 'u@example.test', password: 'p', mailboxes: ['fz1'] };

test('a BYE during the helper STORE that empties a full mailbox ends the connection cleanly', async () => {
  const server = await scripted((tag, command) => {
    if (command === 'LOGIN') return { reply: `${tag} OK logged in\r\n` };
    if (command === 'SELECT') return { reply: `* 300 EXISTS\r\n${tag} OK [READ-WRITE] selected\r\n` };
    // Another session deleted the mailbox: BYE and the close, no tagged reply.
    if (command === 'STORE') return { reply: '* BYE Selected mailbox was deleted, please reconnect\r\n', close: true };
    return { reply: `${tag} BAD unexpected ${command}\r\n` };
  });
  const player = new FuzzPlayer({ port: (server.address() as AddressInfo).port, world, timeoutMs: 2_000, maxMessages: 200 });
  try {
    const out = await player.play('selected', noop);
    assert.match(out.bye ?? '', /mailbox was deleted/);
    assert.equal(player.stats.bye, 1);
  } finally {
    player.closeNow();
    server.close();
  }
});

test('a close without BYE is a violation', async () => {
  const server = await scripted((tag, command) => {
    if (command === 'LOGIN') return { reply: `${tag} OK logged in\r\n` };
    if (command === 'SELECT') return { reply: `* 5 EXISTS\r\n${tag} OK [READ-WRITE] selected\r\n` };
    return { reply: '', close: true };
  });
  const player = new FuzzPlayer({ port: (server.address() as AddressInfo).port, world, timeoutMs: 2_000 });
  try {
    await assert.rejects(player.play('selected', noop), (err) => err instanceof FuzzViolation && /without BYE/.test(err.message));
  } finally {
    player.closeNow();
    server.close();
  }
});
