// Starts the interop tests' cluster (PostgreSQL via DATABASE_URL, Kafka via
// KAFKA_BROKERS, one mailbox service, one edge) and keeps it running, to drive
// a client by hand and capture its protocol trace:
//
//   cd e2e && . ../scripts/test-env.sh && \
//     node --conditions=source --import tsx src/interop-serve.ts [user@example.test password] [--plaintext]
//
// Prints the ports, the certificate file and its fingerprints as JSON; Ctrl-C stops it.
import { startInteropCluster } from './interop.js';

const args = process.argv.slice(2);
const plaintext = args.includes('--plaintext');
const [user = 'dev@example.test', pass = 'dev-password-1'] = args.filter((a) => !a.startsWith('--'));
const cluster = await startInteropCluster({ accounts: [{ user, pass }], allowPlaintextAuth: plaintext });
process.stdout.write(
  JSON.stringify(
    {
      host: cluster.host,
      imapPort: cluster.imapPort,
      imapsPort: cluster.imapsPort,
      certFile: cluster.certFile,
      fingerprints: cluster.fingerprints,
      user,
      pass,
    },
    null,
    2,
  ) + '\n',
);
const stop = () => {
  void cluster.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
