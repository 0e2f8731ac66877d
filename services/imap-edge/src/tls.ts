// TLS material: a certificate and key from files, or, in the embedded default,
// a self-signed certificate generated once and kept in the data folder.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';

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
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { cert: Buffer.from(pems.cert), key: Buffer.from(pems.private) };
}

export function secureContext(m: TlsMaterial): SecureContext {
  return createSecureContext({ cert: m.cert, key: m.key, minVersion: 'TLSv1.2' });
}
