// The container image without a Docker engine: the Dockerfile and .dockerignore
// read as the builder reads them, and bin/kimap (the image's entry point) run for
// real against PostgreSQL and Kafka, from the checkout and from the image's own
// file layout assembled by the last stage's COPY lines, as the image's user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join, posix, relative } from 'node:path';
import { ensureTopic, openDatabase } from '@kimap/common';
import { kafkaBrokers, postgresBaseUrl, uniqueName } from '@kimap/common/testing/services';
import { freePort, repoRoot, tempDir } from '../src/cluster.js';
import { dockerignore, keyValues, parseCopy, parseDockerfile, workdir, type Instruction, type Stage } from '../src/dockerfile.js';

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const ignore = dockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
const finalStage = dockerfile.stages.at(-1)!;
/** The ports the chart relies on (IMAP, IMAPS, LMTP, mailbox and admin gRPC, ops of mailbox, edge, delivery). */
const CONTRACT_PORTS = [1143, 1993, 2424, 50051, 50052, 9101, 9102, 9103];
const migrationFiles = readdirSync(join(repoRoot, 'migrations')).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f));

const lastOf = (stage: Stage, keyword: string): Instruction | undefined => stage.instructions.filter((i) => i.keyword === keyword).at(-1);
const stageNamed = (name: string): Stage | undefined => dockerfile.stages.find((s) => s.name === name);
/** The stage and its parents, the stage first. */
function chain(stage: Stage): Stage[] {
  const parent = stageNamed(stage.from);
  return parent ? [stage, ...chain(parent)] : [stage];
}
/** Every ENV of a stage and its parents, build arguments substituted. */
function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const s of chain(stage).reverse()) {
    for (const ins of s.instructions) if (ins.keyword === 'ENV') for (const [k, v] of keyValues(ins.args)) env.set(k, v);
  }
  return env;
}

/** Files git tracks (the checkout as a fresh clone has it), relative to the repository. */
const trackedFiles = (): string[] =>
  execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(repoRoot, f)));

describe('the Dockerfile', () => {
  test('.dockerignore patterns match as the builder matches them', () => {
    const rules = dockerignore('*\n!services/*/src/\n!bin/kimap\n# a comment\n**/dist\n/data/\n!data/keep\n');
    const cases: Array<[string, boolean]> = [
      ['README.md', true],
      ['services/common/src/index.ts', false],
      ['services/common/test/a.test.ts', true],
      ['services/common/src/dist/x.js', true],
      ['bin/kimap', false],
      ['bin/imapctl', true],
      ['data/db/PG_VERSION', true],
      ['data/keep', false],
    ];
    for (const [path, excluded] of cases) assert.equal(rules.excluded(path), excluded, path);
  });

  test('builds in stages from slim Node 20 images, each with a tag that is not latest', () => {
    assert.ok(dockerfile.stages.length >= 2, 'a build stage and a runtime stage');
    const names = dockerfile.stages.map((s) => s.name).filter(Boolean);
    assert.equal(new Set(names).size, names.length, 'stage names are unique');
    for (const [i, stage] of dockerfile.stages.entries()) {
      const parent = stageNamed(stage.from);
      if (parent) {
        assert.ok(dockerfile.stages.indexOf(parent) < i, `${stage.name}: from an earlier stage`);
        continue;
      }
      const m = /^(?<image>[\w./-]+)(?::(?<tag>[\w.-]+))?(?:@sha256:[0-9a-f]{64})?$/.exec(stage.from);
      assert.ok(m?.groups?.tag, `${stage.name ?? i}: "${stage.from}" names a tag`);
      assert.notEqual(m.groups.tag, 'latest', `${stage.name ?? i}: not latest`);
      assert.match(stage.from, /^node:20(\.\d+)*-(\w+-)?slim\b/, `${stage.name ?? i}: a slim Node 20 image`);
    }
    assert.ok(!stageNamed(finalStage.from), 'the runtime stage starts from a base image, not from the build');
  });

  test('compiles in one stage, installs production dependencies in another, and the last stage takes only those', () => {
    const runs = (stage: Stage) =>
      chain(stage)
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args);
    const build = dockerfile.stages.find((s) => runs(s).some((r) => /\btsc -b\b/.test(r)));
    assert.ok(build, 'a stage runs tsc -b');
    assert.ok(
      runs(build).some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev')),
      'after installing every dependency',
    );
    const copies = finalStage.instructions.filter((i) => i.keyword === 'COPY').map(parseCopy);
    const modules = copies.find((c) => c.sources.some((s) => /(^|\/)node_modules\/?$/.test(s)));
    assert.ok(modules?.from, 'the last stage copies node_modules from a stage');
    const deps = stageNamed(modules.from)!;
    assert.ok(
      runs(deps).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)),
      `${deps.name} installs with --omit=dev`,
    );
    assert.ok(!runs(finalStage).some((r) => /\bnpm\b|\btsc\b/.test(r)), 'the last stage neither installs nor compiles');
    for (const c of copies.filter((c) => c.from === build.name)) {
      for (const s of c.sources) assert.match(s, /\/dist\/?$/, `from ${build.name} the last stage takes compiled output only: ${s}`);
    }
  });

  test('the last stage runs bin/kimap from /app as the numeric non-root user 10001, with DATA_DIR under /tmp', () => {
    const user = lastOf(finalStage, 'USER')?.args;
    const m = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
    assert.ok(m, `USER is numeric (uid[:gid]), not "${user}"`);
    assert.equal(Number(m[1]), 10001);
    assert.notEqual(Number(m[2] ?? 1), 0, 'the group is not root either');
    assert.equal(workdir(dockerfile, finalStage), '/app');
    const env = envOf(finalStage);
    assert.equal(env.get('NODE_ENV'), 'production');
    assert.equal(env.get('DATA_DIR'), '/tmp/kimap');

    const entrypoint = lastOf(finalStage, 'ENTRYPOINT')?.args ?? '';
    assert.ok(entrypoint.startsWith('['), 'ENTRYPOINT in exec form: no shell');
    const argv = JSON.parse(entrypoint) as string[];
    const script = argv.find((a) => a.endsWith('/bin/kimap'));
    assert.ok(script, `ENTRYPOINT runs bin/kimap: ${entrypoint}`);
    assert.ok(argv[0] === 'node' || argv[0] === script, `run by node or directly: ${entrypoint}`);
    const copied = finalStage.instructions
      .filter((i) => i.keyword === 'COPY')
      .map(parseCopy)
      .find((c) => posix.join('/app', c.dest) === script || c.dest === script);
    assert.ok(copied && !copied.from, `the last stage copies ${script} from the build context`);
    const file = join(repoRoot, copied.sources[0]!);
    assert.ok(statSync(file).isFile());
    assert.match(readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    if (argv[0] === script) assert.ok(statSync(file).mode & 0o111, `${copied.sources[0]} is executable`);

    const exposed = (lastOf(finalStage, 'EXPOSE')?.args ?? '').split(' ').map((p) => Number(p.replace(/\/tcp$/, '')));
    for (const port of CONTRACT_PORTS) assert.ok(exposed.includes(port), `EXPOSE ${port}`);
    const labels = new Map(finalStage.instructions.filter((i) => i.keyword === 'LABEL').flatMap((i) => [...keyValues(i.args)]));
    for (const key of ['title', 'description', 'version', 'revision']) assert.ok(labels.get(`org.opencontainers.image.${key}`), key);
  });

  test('every COPY takes what exists, and .dockerignore lets its sources in and keeps the checkout’s own builds out', () => {
    const tracked = trackedFiles();
    for (const [i, stage] of dockerfile.stages.entries()) {
      for (const ins of stage.instructions.filter((x) => x.keyword === 'COPY' || x.keyword === 'ADD')) {
        const copy = parseCopy(ins);
        for (const source of copy.sources) {
          const where = `line ${ins.line}: ${source}`;
          if (copy.from === undefined) {
            assert.ok(!/[*?[]/.test(source), `${where}: a plain path`);
            assert.ok(existsSync(join(repoRoot, source)), `${where} exists`);
            const under = tracked.filter((f) => f === source || f.startsWith(source.replace(/\/?$/, '/')));
            const needed = under.filter((f) => !f.split('/').includes('test'));
            assert.ok(needed.length > 0, `${where}: git tracks it`);
            for (const f of needed) assert.ok(!ignore.excluded(f), `${where}: .dockerignore lets ${f} through`);
            continue;
          }
          const from = stageNamed(copy.from);
          assert.ok(from && dockerfile.stages.indexOf(from) < i, `${where}: --from=${copy.from} is an earlier stage`);
          const rel = posix.relative(workdir(dockerfile, from), source);
          assert.ok(!rel.startsWith('..'), `${where}: inside ${copy.from}'s working directory`);
          assert.ok(existsSync(join(repoRoot, rel)), `${where}: ${rel} exists once the checkout is installed and built`);
          // What the stage does not take from the context, one of its commands makes.
          const runs = chain(from).flatMap((s) => s.instructions.filter((x) => x.keyword === 'RUN').map((x) => x.args));
          if (rel.split('/').includes('node_modules'))
            assert.ok(
              runs.some((r) => /\bnpm ci\b/.test(r)),
              `${where}: made by npm ci`,
            );
          else if (rel.split('/').includes('dist'))
            assert.ok(
              runs.some((r) => /\btsc -b\b/.test(r)),
              `${where}: made by tsc -b`,
            );
          else {
            const taken = chain(from)
              .flatMap((s) => s.instructions.filter((x) => x.keyword === 'COPY').map(parseCopy))
              .some((c) => !c.from && c.sources.some((s) => rel === s || rel.startsWith(s.replace(/\/?$/, '/'))));
            assert.ok(taken && !ignore.excluded(rel), `${where}: ${copy.from} takes it from the context`);
          }
        }
      }
    }
    for (const kept of [
      'node_modules/pg/package.json',
      'services/common/dist/index.js',
      'data/db/PG_VERSION',
      '.git/HEAD',
      '.cache/bench/x.json',
      '.env',
    ]) {
      assert.ok(ignore.excluded(kept), `.dockerignore keeps ${kept} out`);
    }
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** How bin/kimap is started: the command and arguments before kimap's own, where, as whom. */
interface Invocation {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
}

interface Running {
  child: ChildProcess;
  output: string[];
  exited: Promise<Exit>;
}

function kimap(how: Invocation, args: string[], env: Record<string, string> = {}): Running {
  const [command, ...prefix] = how.argv;
  const child = spawn(command!, [...prefix, ...args], {
    cwd: how.cwd,
    env: { ...how.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(how.uid !== undefined && { uid: how.uid, gid: how.uid }),
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, output: output.join('') })));
  return { child, output, exited };
}

async function finished(run: Running, timeoutMs = 60_000): Promise<Exit> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the ops port answers /readyz, then checks /healthz. */
async function serving(name: string, run: Running, opsPort: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      const exit = await run.exited;
      assert.fail(`kimap ${name} exited (${exit.code ?? exit.signal}):\n${exit.output}`);
    }
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) assert.fail(`kimap ${name} not ready after ${timeoutMs} ms:\n${run.output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const health = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
  assert.equal(health.status, 200, `${name} /healthz`);
  assert.equal(await health.text(), 'ok\n');
}

async function stopped(name: string, run: Running): Promise<Exit> {
  run.child.kill('SIGTERM');
  const exit = await finished(run, 30_000);
  assert.deepEqual([exit.code, exit.signal], [0, null], `kimap ${name} exits 0 on SIGTERM:\n${exit.output}`);
  return exit;
}

/** The first line a TCP server sends. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no greeting on port ${port}`)));
    socket.once('error', reject);
    socket.once('data', (d: Buffer) => {
      socket.destroy();
      resolve(d.toString().split('\r\n')[0]!);
    });
  });
}

/** A database of its own with nothing in it, for `kimap migrate` to fill. */
async function emptyDatabase(): Promise<{ url: string; migrations(): Promise<number>; drop(): Promise<void> }> {
  const base = await postgresBaseUrl();
  const name = `kimap_image_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase(base, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    async migrations() {
      const db = await openDatabase(url, { max: 1 });
      try {
        return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations')).rows[0]!.n);
      } finally {
        await db.close();
      }
    },
    async drop() {
      const db = await openDatabase(base, { max: 1 });
      await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await db.close();
    },
  };
}

/**
 * What the image's deployables do, through `how`: migrate a fresh database, start
 * the mailbox service, the edge and the LMTP listener with DATA_DIR at `dataDir`,
 * see them serve, and stop each with SIGTERM.
 */
async function runDeployables(how: Invocation, dataDir: string): Promise<void> {
  const db = await emptyDatabase();
  const running: Running[] = [];
  try {
    const migrate = await finished(kimap(how, ['migrate'], { DATABASE_URL: db.url }));
    assert.equal(migrate.code, 0, `kimap migrate:\n${migrate.output}`);
    assert.equal(await db.migrations(), migrationFiles.length, 'every migration applied');

    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-image');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'image-test' });
    const common = { KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DRAIN_GRACE_MS: '2000' };
    const [grpcPort, mailboxOps, edgeOps, lmtpOps, imapPort, imapsPort, lmtpPort] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const mailboxAddress = `127.0.0.1:${grpcPort}`;

    const mailbox = kimap(how, ['mailbox'], { ...common, DATABASE_URL: db.url, GRPC_LISTEN: mailboxAddress, OPS_PORT: String(mailboxOps) });
    running.push(mailbox);
    await serving('mailbox', mailbox, mailboxOps!);
    const edge = kimap(how, ['edge'], {
      ...common,
      MAILBOX_ADDRESS: mailboxAddress,
      KAFKA_GROUP_ID: uniqueName('kimap-image-edge'),
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(imapPort),
      IMAPS_PORT: String(imapsPort),
      IMAP_HOSTNAME: 'localhost',
      OPS_PORT: String(edgeOps),
    });
    running.push(edge);
    await serving('edge', edge, edgeOps!);
    assert.match(await greeting(imapPort!), /^\* OK /);
    const lmtp = kimap(how, ['lmtp'], {
      ...common,
      MAILBOX_ADDRESS: mailboxAddress,
      LMTP_HOST: '127.0.0.1',
      LMTP_PORT: String(lmtpPort),
      OPS_PORT: String(lmtpOps),
    });
    running.push(lmtp);
    await serving('lmtp', lmtp, lmtpOps!);
    assert.match(await greeting(lmtpPort!), /^220 /);

    await stopped('lmtp', lmtp);
    const edgeExit = await stopped('edge', edge);
    // Without --expose-gc the edge would warn that its quiet collections are off.
    assert.doesNotMatch(edgeExit.output, /quiet collections are off/);
    await stopped('mailbox', mailbox);
    // The edge's self-signed certificate went to DATA_DIR.
    assert.ok(existsSync(join(dataDir, 'tls', 'cert.pem')));
  } finally {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await db.drop();
  }
}

/** Every path under `root` (symbolic links not followed) with its kind, size and time of change. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      out.set(relative(root, p), `${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f'} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/**
 * Lays out the last stage's files under `into` as its COPY lines do: from the
 * build context through .dockerignore, from a stage out of the built checkout
 * (node_modules as links to the checkout's packages, the workspaces' own links
 * pointing into the layout).
 */
function assembleFinalStage(into: string): void {
  const wd = workdir(dockerfile, finalStage);
  for (const ins of finalStage.instructions.filter((i) => i.keyword === 'COPY')) {
    const copy = parseCopy(ins);
    const dest = copy.dest.startsWith('/') ? copy.dest : posix.join(wd, copy.dest);
    for (const source of copy.sources) {
      const rel = copy.from === undefined ? source : posix.relative(workdir(dockerfile, stageNamed(copy.from)!), source);
      const from = join(repoRoot, rel);
      const intoDir = copy.dest.endsWith('/') || copy.sources.length > 1;
      const target = join(into, intoDir && statSync(from).isFile() ? posix.join(dest, basename(rel)) : dest);
      if (basename(rel) === 'node_modules') {
        mkdirSync(target, { recursive: true });
        for (const name of readdirSync(from)) {
          if (name !== '@kimap') {
            symlinkSync(join(from, name), join(target, name));
            continue;
          }
          mkdirSync(join(target, name));
          for (const pkg of readdirSync(join(from, name))) symlinkSync(readlinkSync(join(from, name, pkg)), join(target, name, pkg));
        }
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      cpSync(from, target, {
        recursive: true,
        // Folders are walked even when excluded: a later `!pattern` may let files inside back in.
        filter: (p) => copy.from !== undefined || statSync(p).isDirectory() || !ignore.excluded(relative(repoRoot, p)),
      });
    }
  }
}

describe('bin/kimap, the image’s entry point', () => {
  const pathEnv = `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  const fromCheckout: Invocation = { argv: [join(repoRoot, 'bin/kimap')], cwd: repoRoot, env: { PATH: pathEnv } };

  before(() => {
    // bin/kimap runs the compiled services, as the image does.
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: repoRoot, stdio: 'inherit' });
  });

  test('without a command, or with an unknown one, it prints its usage on stderr and exits 2', async () => {
    for (const args of [[], ['nonsense'], ['mailbox', '--port=1']]) {
      const run = kimap(fromCheckout, args);
      const exit = await finished(run);
      assert.equal(exit.code, 2, `kimap ${args.join(' ')}`);
      assert.match(exit.output, /usage: kimap <command>/);
      assert.match(exit.output, /edge.*\n.*mailbox.*\n.*delivery, lmtp.*\n.*migrate.*\n.*imapctl.*\n.*server/);
    }
    const help = await finished(kimap(fromCheckout, ['--help']));
    assert.equal(help.code, 0);
  });

  test('migrate refuses to run without a database named, rather than fill the embedded one in DATA_DIR', async () => {
    const exit = await finished(kimap(fromCheckout, ['migrate'], { DATA_DIR: '/nonexistent' }));
    assert.equal(exit.code, 2);
    assert.match(exit.output, /migrate needs DATABASE_URL/);
  });

  test('imapctl passes its arguments on', async () => {
    const exit = await finished(kimap(fromCheckout, ['imapctl', '--help']));
    assert.equal(exit.code, 0, exit.output);
    assert.match(exit.output, /usage: imapctl/);
  });

  test('from the checkout: migrate, mailbox, edge and lmtp run, serve and stop on SIGTERM, writing only to DATA_DIR', async () => {
    // What git shows, ignored files included (a ./data a service made would show), but the builds and tool caches.
    const status = () =>
      execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--ignored', '--untracked-files=normal'], {
        cwd: repoRoot,
        encoding: 'utf8',
      })
        .split('\n')
        .filter((l) => l !== '' && !/(^|\/)dist\/$/.test(l.slice(3)) && !l.slice(3).startsWith('.cache/'));
    const before = status();
    const data = tempDir('kimap-image-data-');
    try {
      await runDeployables(fromCheckout, data.path);
    } finally {
      data.remove();
    }
    assert.deepEqual(status(), before, 'nothing new in the checkout');
  });

  describe('as the image lays its files out and runs them', () => {
    const layout = tempDir('kimap-image-layout-');
    const tmp = tempDir('kimap-image-tmp-');
    let how: Invocation;

    before(() => {
      chmodSync(layout.path, 0o755);
      assembleFinalStage(layout.path);
      const wd = workdir(dockerfile, finalStage);
      const uid = Number(/^\d+/.exec(lastOf(finalStage, 'USER')!.args)![0]);
      // The image's /tmp is the test's own; as root, the processes run as the image's user.
      const asUser = process.getuid?.() === 0;
      if (asUser) chownSync(tmp.path, uid, uid);
      const env: Record<string, string> = { PATH: pathEnv, TMPDIR: tmp.path };
      for (const [k, v] of envOf(finalStage)) env[k] = v.replace(/^\/tmp(?=\/|$)/, tmp.path);
      const argv = (JSON.parse(lastOf(finalStage, 'ENTRYPOINT')!.args) as string[]).map((a) =>
        a === 'node' ? process.execPath : a.startsWith('/') ? join(layout.path, a) : a,
      );
      how = { argv, cwd: join(layout.path, wd), env, ...(asUser && { uid }) };
    });

    after(() => {
      layout.remove();
      tmp.remove();
    });

    test('migrate, mailbox, edge and lmtp run from it, and nothing in it changes', async () => {
      const before = snapshot(layout.path);
      const dataDir = join(tmp.path, 'kimap');
      await runDeployables(how, dataDir);
      assert.deepEqual(snapshot(layout.path), before, 'the image’s files are only read');
      if (how.uid !== undefined) assert.equal(statSync(join(dataDir, 'tls', 'cert.pem')).uid, how.uid, 'written by the image’s user');
    });
  });
});
