// Where the machine's CPU went during a run: the servers' processes, the load
// generator itself, and everything else, from /proc (utime + stime, plus the
// times of reaped children for process trees that fork: the postmaster's
// backends, Dovecot's per-session processes).
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

interface Stat {
  comm: string;
  ppid: number;
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime (reaped children), seconds. */
  children: number;
}

function stat(pid: number): Stat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const close = s.lastIndexOf(')');
  const f = s.slice(close + 2).split(' ');
  // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  return {
    comm: s.slice(s.indexOf('(') + 1, close),
    ppid: Number(f[1]),
    own: (Number(f[11]) + Number(f[12])) / TICK,
    children: (Number(f[13]) + Number(f[14])) / TICK,
  };
}

function allPids(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(e));
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Busy CPU seconds of the whole machine (all cores) since boot, and the part spent in interrupts (loopback TCP is mostly softirq). */
export function machineBusySeconds(): { busy: number; irq: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const irq = ((v[5] ?? 0) + (v[6] ?? 0)) / TICK;
  return { busy: ((v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[7] ?? 0)) / TICK + irq, irq };
}

/** CPU seconds of a process tree rooted at `root`: itself, reaped children, live descendants. */
export function treeSeconds(root: number, snapshot = new Map<number, Stat>()): number {
  if (snapshot.size === 0)
    for (const p of allPids()) {
      const s = stat(p);
      if (s) snapshot.set(p, s);
    }
  const r = snapshot.get(root);
  if (!r) return 0;
  let total = r.own + r.children;
  const kids = new Map<number, number[]>();
  for (const [pid, s] of snapshot) {
    const k = kids.get(s.ppid);
    if (k) k.push(pid);
    else kids.set(s.ppid, [pid]);
  }
  const walk = (pid: number) => {
    for (const c of kids.get(pid) ?? []) {
      const s = snapshot.get(c)!;
      total += s.own + s.children;
      walk(c);
    }
  };
  walk(root);
  return total;
}

/** The repository's postmaster (a `postgres` whose parent is not one; any, when none is the repository's) and Kafka broker. */
export function findInfrastructure(repoRoot: string): { postgres: number[]; kafka: number[] } {
  const postgres: number[] = [];
  const kafka: number[] = [];
  const stats = new Map<number, Stat>();
  for (const p of allPids()) {
    const s = stat(p);
    if (s) stats.set(p, s);
  }
  for (const [pid, s] of stats) {
    if (s.comm === 'postgres' && stats.get(s.ppid)?.comm !== 'postgres') postgres.push(pid);
    if (s.comm === 'java') {
      const cl = cmdline(pid);
      if (cl.includes('kafka.Kafka') && cl.includes(repoRoot)) kafka.push(pid);
    }
  }
  // Other PostgreSQL clusters on the machine are not ours: prefer the repository's (scripts/services/postgres.sh).
  const ours = postgres.filter((p) => cmdline(p).includes(repoRoot));
  return { postgres: ours.length > 0 ? ours : postgres, kafka };
}

export interface CpuGroup {
  name: string;
  pids: number[];
}

export interface CpuUse {
  wallSeconds: number;
  /** name -> cores used on average over the window (1.0 = one core busy). */
  cores: Record<string, number>;
  machine: number;
  /** Interrupt and softirq time (not charged to any process). */
  irq: number;
  /** Busy time not accounted to the groups, the load generator or interrupts: other processes, kernel threads. */
  other: number;
}

/** Snapshots CPU time of groups of process trees; `done()` returns the averages since. */
export function cpuMeter(groups: CpuGroup[]): { done(): CpuUse } {
  const read = () => {
    const snap = new Map<number, Stat>();
    for (const p of allPids()) {
      const s = stat(p);
      if (s) snap.set(p, s);
    }
    const lg = process.cpuUsage();
    const values: Record<string, number> = { 'load generator': (lg.user + lg.system) / 1e6 };
    for (const g of groups) values[g.name] = g.pids.reduce((t, p) => t + treeSeconds(p, snap), 0);
    return { at: performance.now(), values, machine: machineBusySeconds() };
  };
  const start = read();
  return {
    done() {
      const end = read();
      const wall = (end.at - start.at) / 1000;
      const cores: Record<string, number> = {};
      let accounted = 0;
      for (const k of Object.keys(end.values)) {
        const used = Math.max(0, end.values[k]! - start.values[k]!);
        cores[k] = used / wall;
        accounted += used;
      }
      const machine = (end.machine.busy - start.machine.busy) / wall;
      const irq = (end.machine.irq - start.machine.irq) / wall;
      return { wallSeconds: wall, cores, machine, irq, other: Math.max(0, machine - irq - accounted / wall) };
    },
  };
}
