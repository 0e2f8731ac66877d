// Reads a Dockerfile and a .dockerignore the way the builder does, as far as the
// image's tests need: stages, their instructions with continuation lines joined,
// build arguments in FROM, COPY's sources and flags, and which paths of the
// build context the ignore file lets through. No Docker engine is needed.

export interface Instruction {
  /** Upper case: FROM, COPY, RUN, ... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  /** Where it starts, 1-based. */
  line: number;
}

export interface Stage {
  /** The FROM line's image (build arguments substituted) or the name of an earlier stage. */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

export interface Copy {
  /** The stage named by --from, or undefined for the build context. */
  from?: string;
  flags: Map<string, string>;
  sources: string[];
  dest: string;
}

/** Splits a Dockerfile into instructions: comments dropped, lines ending in `\` joined. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.trim();
    if (first === '' || first.startsWith('#')) continue;
    const start = i + 1;
    let joined = first;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      joined = joined.slice(0, -1);
      const next = lines[++i]!.trim();
      // Comment lines inside a continued instruction are dropped, as the builder does.
      if (!next.startsWith('#')) joined += ' ' + next;
    }
    const m = /^(\S+)\s*(.*)$/s.exec(joined)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim(), line: start });
  }
  return out;
}

/** Replaces $NAME and ${NAME} by their values; unknown names become empty, as in the builder. */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, a: string | undefined, b: string | undefined) => vars.get(a ?? b ?? '') ?? '');
}

/** `KEY=value KEY2="a b"` pairs (ENV, LABEL, ARG), quotes removed. */
export function keyValues(args: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(\S+?)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of args.matchAll(re)) {
    const raw = m[2]!;
    out.set(m[1]!, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  return out;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(' ').filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({
        from: substitute(words[0]!, globalArgs),
        ...(as > 0 && words[as + 1] && { name: words[as + 1] }),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      const [name, value] = ins.args.split('=', 2) as [string, string | undefined];
      globalArgs.set(name, value ?? '');
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** A COPY (or ADD) instruction's flags, sources and destination, in either form. */
export function parseCopy(ins: Instruction): Copy {
  const flags = new Map<string, string>();
  let rest = ins.args;
  for (;;) {
    const m = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags.set(m[1]!, m[2] ?? 'true');
    rest = rest.slice(m[0].length);
  }
  const paths = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(' ');
  if (paths.length < 2) throw new Error(`line ${ins.line}: ${ins.keyword} needs a source and a destination`);
  const from = flags.get('from');
  return { ...(from !== undefined && { from }), flags, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** The stage's working directory after its instructions, following its parent stages. */
export function workdir(file: Dockerfile, stage: Stage): string {
  const parent = file.stages.find((s) => s.name === stage.from);
  let dir = parent ? workdir(file, parent) : '/';
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') dir = ins.args.startsWith('/') ? ins.args : `${dir.replace(/\/$/, '')}/${ins.args}`;
  }
  return dir;
}

/** A glob of .dockerignore (Go's filepath.Match, plus `**` for any number of folders) as a regular expression. */
function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else {
        re += '.*';
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      re += pattern.slice(i, end + 1).replace(/^\[!/, '[^');
      i = end;
    } else if (c === '\\') re += '\\' + pattern[++i]!;
    else re += c.replace(/[.+^${}()|]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The build context's filter: `excluded(path)` for a path relative to the context,
 * by the last pattern that matches the path or one of its parent folders.
 */
export function dockerignore(text: string): { excluded(path: string): boolean } {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const exception = l.startsWith('!');
      const pattern = (exception ? l.slice(1) : l)
        .trim()
        .replace(/^\/+/, '')
        .replace(/^(\.\/)+/, '')
        .replace(/\/+$/, '');
      return { exception, re: patternRegExp(pattern) };
    });
  return {
    excluded(path: string): boolean {
      const parts = path.replace(/^\/+/, '').split('/');
      const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
      let out = false;
      for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) out = !rule.exception;
      return out;
    },
  };
}
