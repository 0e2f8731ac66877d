// TLS material: a certificate and key from files, or, in the embedded default,
// a self-signed certificate generated once and kept in the data folder. Files
// are watched: a renewed pair (cert-manager, a Secret's mount) is taken for
// new connections; a broken one is not, and the pair in use stays.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '@kimap/common';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export function loadTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

export async function selfSignedTls(dir: string, hostname: string): Promise<TlsMaterial> {
  const certFile = join(dir, 'tls', 'cert.pem');
  const keyFile = join(dir, 'tls', 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return loadTlsFiles(certFile, keyFile);
  const selfsigned = (await import('selfsigned')) as unknown as {
    generate(
      attrs: Array<{ name: string; value: string }>,
      opts: Record<string, unknown>,
    ): Promise<{ cert: string; private: string }> | { cert: string; private: string };
  };
  const generator =
    typeof selfsigned.generate === 'function' ? selfsigned : (selfsigned as unknown as { default: typeof selfsigned }).default;
  const pems = await generator.generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    days: 825,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: hostname },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  mkdirSync(dirname(certFile), { recursive: true });
  // Each file written whole, then renamed into place, the certificate last: a
  // process killed half way leaves no pair, and the next start makes a new one.
  writeFileSync(`${keyFile}.new`, pems.private, { mode: 0o600 });
  writeFileSync(`${certFile}.new`, pems.cert);
  renameSync(`${keyFile}.new`, keyFile);
  renameSync(`${certFile}.new`, certFile);
  return { cert: Buffer.from(pems.cert), key: Buffer.from(pems.private) };
}

export function secureContext(m: TlsMaterial): SecureContext {
  return createSecureContext({ cert: m.cert, key: m.key, minVersion: 'TLSv1.2' });
}

/** What a certificate is known by in the logs and the tests. */
export function certificateSummary(m: TlsMaterial): { fingerprint: string; subject: string; validTo: string } {
  const x = new X509Certificate(m.cert);
  return { fingerprint: x.fingerprint256, subject: x.subject.replace(/\n/g, ', '), validTo: x.validTo };
}

export interface TlsFiles {
  cert: string;
  key: string;
  /** How often the files are looked at for a change (TLS_RELOAD_INTERVAL_MS); 0: never. */
  reloadIntervalMs?: number;
}

/** The files' identity: a change of content, inode (a Secret's mount swaps a symlink) or time is a change. */
function fileStamp(files: TlsFiles): string {
  return [files.cert, files.key]
    .map((f) => {
      const s = statSync(f);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    })
    .join('|');
}

/**
 * The certificate and key in use, read from files and read again when they
 * change. The first pair must be good (the edge does not start without one);
 * a later one that cannot be read, or whose key does not fit its certificate,
 * is logged and skipped until the files change again.
 */
export class TlsCredentials {
  private current: { material: TlsMaterial; context: SecureContext };
  private stamp = '';
  private timer?: NodeJS.Timeout;
  private readonly listeners: Array<(m: TlsMaterial) => void> = [];

  constructor(material: TlsMaterial) {
    this.current = { material, context: secureContext(material) };
  }

  static fromFiles(files: TlsFiles, log: Logger): TlsCredentials {
    const stamp = fileStamp(files);
    const credentials = new TlsCredentials(loadTlsFiles(files.cert, files.key));
    credentials.stamp = stamp;
    const interval = files.reloadIntervalMs ?? 10_000;
    if (interval > 0) {
      credentials.timer = setInterval(() => credentials.reloadIfChanged(files, log), interval);
      credentials.timer.unref();
    }
    return credentials;
  }

  get material(): TlsMaterial {
    return this.current.material;
  }

  get context(): SecureContext {
    return this.current.context;
  }

  /** Called with each new pair once it is in use. */
  onChange(listener: (m: TlsMaterial) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the files again if they changed since the last look; true when a new pair is in use. */
  reloadIfChanged(files: TlsFiles, log: Logger): boolean {
    let stamp: string;
    try {
      stamp = fileStamp(files);
    } catch (err) {
      // Missing for a moment while being replaced, or gone: the pair in use stays.
      if (this.stamp !== 'missing') {
        const why = err instanceof Error ? err.message : String(err);
        log.warn({ err, cert: files.cert, key: files.key }, `TLS files cannot be read (${why}); keeping the certificate in use`);
      }
      this.stamp = 'missing';
      return false;
    }
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    const previous = certificateSummary(this.material).fingerprint;
    let material: TlsMaterial;
    let context: SecureContext;
    try {
      material = loadTlsFiles(files.cert, files.key);
      context = secureContext(material);
      certificateSummary(material);
    } catch (err) {
      log.warn(
        { err, cert: files.cert, key: files.key, inUse: previous },
        `new TLS certificate or key refused (${err instanceof Error ? err.message : String(err)}); keeping the certificate in use`,
      );
      return false;
    }
    this.current = { material, context };
    for (const l of this.listeners) l(material);
    log.info({ ...certificateSummary(material), previous }, 'TLS certificate reloaded');
    return true;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
