// Every command the edge answers, by name. The connection checks the state
// once, centrally, before a handler runs.
import type { CommandName } from '../protocol/index.js';
import { append } from './append.js';
import { capability } from './capability.js';
import type { CommandHandler } from './context.js';
import { create } from './create.js';
import { fetch } from './fetch.js';
import { list, lsub } from './list.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { noop } from './noop.js';
import { select } from './select.js';
import { starttls } from './starttls.js';

const handlers: CommandHandler<never>[] = [capability, noop, logout, starttls, login, list, lsub, create, select, append, fetch] as unknown as CommandHandler<never>[];

export const registry = new Map<string, CommandHandler>();
for (const h of handlers) for (const name of h.names as readonly string[]) registry.set(name, h as unknown as CommandHandler);

export function handlerFor(name: CommandName | string): CommandHandler | undefined {
  return registry.get(name);
}
