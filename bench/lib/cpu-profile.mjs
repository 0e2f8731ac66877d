// Preload (NODE_OPTIONS=--import <this file>) that CPU-profiles a process into
// BENCH_CPU_PROF_OUT. Node 20 refuses --cpu-prof inside NODE_OPTIONS, and the
// services are started with fixed arguments (e2e/src/cluster.ts), hence this file.
//
// SIGUSR2 toggles the profiler: the first starts it, the second stops it and
// writes <service>-<pid>-<n>.cpuprofile, so a bench can profile exactly one
// scenario's window. A profile still running at exit is written then. In the
// mailbox service it also counts the SQL statements sent meanwhile (node-postgres'
// Client.prototype.query, wrapped) into <service>-<pid>-<n>.queries.json.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF_OUT;
if (dir) {
  const service = /services\/([^/]+)\//.exec(process.argv[1] ?? '')?.[1] ?? 'node';
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US ?? 1000) });
  let running = false;
  let n = 0;
  // The mailbox service: SQL statements issued while profiling, by statement.
  /** @type {Map<string, number>} */
  const queries = new Map();
  if (service === 'mailbox') {
    const pg = (await import('pg')).default;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (config, ...rest) {
      if (running) {
        const text = typeof config === 'string' ? config : config && typeof config === 'object' ? config.text : undefined;
        const key = String(text ?? '?')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 100);
        queries.set(key, (queries.get(key) ?? 0) + 1);
      }
      return query.call(this, config, ...rest);
    };
  }
  const start = () => {
    queries.clear();
    session.post('Profiler.start');
    running = true;
  };
  const stop = () => {
    if (!running) return;
    running = false;
    const file = join(dir, `${service}-${process.pid}-${++n}.cpuprofile`);
    if (service === 'mailbox')
      writeFileSync(
        file.replace(/\.cpuprofile$/, '.queries.json'),
        JSON.stringify(Object.fromEntries([...queries].sort((a, b) => b[1] - a[1])), null, 1),
      );
    // On the main thread the inspector answers synchronously, so this also works in 'exit'.
    session.post('Profiler.stop', (err, res) => {
      if (err || !res) return;
      writeFileSync(file + '.tmp', JSON.stringify(res.profile));
      // The rename marks the file complete for a reader polling the folder.
      renameSync(file + '.tmp', file);
    });
  };
  process.on('SIGUSR2', () => (running ? stop() : start()));
  process.on('exit', stop);
}
