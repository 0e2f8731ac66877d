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
import { check, noop } from './noop.js';
import { select } from './select.js';
import { starttls } from './starttls.js';
import { authenticate } from './authenticate.js';
import { enable } from './enable.js';
import { id } from './id.js';
import { namespace } from './namespace.js';
import { status } from './status.js';
import { close } from './close.js';
import { expunge } from './expunge.js';
import { store } from './store.js';
import { copy } from './copy.js';
import { del, rename, subscribe } from './mailbox-admin.js';
import { idle } from './idle.js';
import { search } from './search.js';

const handlers: CommandHandler<never>[] = [
  capability, noop, check, logout, starttls, login, authenticate, enable, id, namespace,
  list, lsub, create, del, rename, subscribe, status, select, append,
  fetch, store, expunge, copy, close, idle, search,
] as unknown as CommandHandler<never>[];

export const registry = new Map<string, CommandHandler>();
for (const h of handlers) for (const name of h.names as readonly string[]) registry.set(name, h as unknown as CommandHandler);

export function handlerFor(name: CommandName | string): CommandHandler | undefined {
  return registry.get(name);
}
