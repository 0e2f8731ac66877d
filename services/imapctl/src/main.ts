#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { run } from './index.js';

const code = await run(process.argv.slice(2), {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  stdin: () => readFileSync(0, 'utf8'),
});
process.exit(code);
