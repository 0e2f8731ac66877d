import { CommandReceiver, type ReceiverEvent, type ReceiverOptions } from '../../src/protocol/receiver.js';
import type { Invocation } from '../../src/commands/command.js';
import { parseCommand } from '../../src/commands/registry.js';
import type { ReceivedCommand } from '../../src/protocol/types.js';

/** Feed `input` in chunks of `chunkSize` (Infinity = whole) and collect every event. */
export function receiveAll(input: string | Buffer, options: ReceiverOptions = {}, chunkSize = Infinity): ReceiverEvent[] {
  const r = new CommandReceiver(options);
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const out: ReceiverEvent[] = [];
  for (let i = 0; i < buf.length; i += Math.min(chunkSize, buf.length)) {
    r.push(buf.subarray(i, i + Math.min(chunkSize, buf.length)));
    out.push(...r.drain());
  }
  return out;
}

/** Receive exactly one command from a complete raw input (literals inline). */
export function receiveOne(input: string | Buffer, options: ReceiverOptions = {}): ReceivedCommand {
  const events = receiveAll(input, options);
  const first = events[0];
  if (events.length !== 1 || first?.kind !== 'command') {
    throw new Error(`expected one command, got ${JSON.stringify(events.map((e) => e.kind))}: ${JSON.stringify(events)}`);
  }
  return first;
}

/** Raw wire text (with CRLF and inline literals) -> typed parsed command. */
export function parse(input: string): Invocation<unknown> {
  return parseCommand(receiveOne(input.endsWith('\r\n') ? input : input + '\r\n'));
}

/** Literal helper: `{n+}\r\n` + data. */
export function lit(data: string, mode: '' | '+' = '+'): string {
  return `{${Buffer.byteLength(data)}${mode}}\r\n${data}`;
}
