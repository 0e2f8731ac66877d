// The fault suite's sizes and durations, from the environment (defaults keep
// a run of the whole suite within a few minutes on two cores).
function int(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not ${JSON.stringify(v)}`);
  return n;
}

export const faultSettings = {
  /** Concurrent IMAP clients of each storm. */
  clients: int('FAULTS_CLIENTS', 50),
  /** Clients per account. */
  clientsPerUser: int('FAULTS_CLIENTS_PER_USER', 5),
  /** How long the storm runs before a fault and again after it. */
  stormMs: int('FAULTS_STORM_MS', 4000),
  /** How long a killed process stays down, PostgreSQL stays stopped, the network stays cut. */
  outageMs: int('FAULTS_OUTAGE_MS', 6000),
  /** How long Kafka stays stopped. */
  kafkaOutageMs: int('FAULTS_KAFKA_OUTAGE_MS', 60_000),
  /** The edges' deadline for a call to the mailbox service (MAILBOX_DEADLINE_MS). */
  deadlineMs: int('FAULTS_DEADLINE_MS', 4000),
  /** kill -9 rounds of the embedded server. */
  embeddedRounds: int('FAULTS_EMBEDDED_ROUNDS', 2),
};

/** A reply later than this is a hang: the deadline, plus room for a loaded two-core machine. */
export const hangMs = () => faultSettings.deadlineMs * 2 + 5000;
