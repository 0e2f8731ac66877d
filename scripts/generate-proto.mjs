#!/usr/bin/env node
// Generates TypeScript types for the gRPC contract in proto/ with
// proto-loader-gen-types. With --check, generates into a temporary folder and
// fails when the committed files differ (stale generated code).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, cpSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'services/common/src/generated');
const check = process.argv.includes('--check');

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

const protos = listFiles(join(root, 'proto'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => relative(join(root, 'proto'), f));
const out = mkdtempSync(join(tmpdir(), 'kimap-proto-'));
execFileSync(
  join(root, 'node_modules/.bin/proto-loader-gen-types'),
  [
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--keepCase=false',
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.js',
    '--includeDirs',
    join(root, 'proto'),
    '--outDir',
    out,
    ...protos,
  ],
  { stdio: 'inherit' },
);

// The generator names each source by absolute path: make it relative, so the
// output is the same in every checkout.
for (const f of listFiles(out)) {
  const text = readFileSync(f, 'utf8');
  const fixed = text.split(join(root, 'proto') + '/').join('proto/');
  if (fixed !== text) writeFileSync(f, fixed);
}

if (check) {
  const a = listFiles(out).map((f) => relative(out, f));
  let b = [];
  try {
    b = listFiles(target).map((f) => relative(target, f));
  } catch {
    /* missing */
  }
  const stale =
    a.length !== b.length || a.some((f, i) => f !== b[i] || readFileSync(join(out, f), 'utf8') !== readFileSync(join(target, f), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  if (stale) {
    console.error('generated gRPC types are stale: run `npm run generate` and commit the result');
    process.exit(1);
  }
  console.log('generated gRPC types are up to date');
} else {
  rmSync(target, { recursive: true, force: true });
  cpSync(out, target, { recursive: true });
  rmSync(out, { recursive: true, force: true });
  console.log(`generated ${listFiles(target).length} files into ${relative(root, target)}`);
}
