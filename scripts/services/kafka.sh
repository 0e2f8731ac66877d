#!/usr/bin/env bash
# A single-node KRaft Kafka 4.x broker (combined broker+controller) for tests and dev.
#
#   scripts/services/kafka.sh start   # idempotent; prints KAFKA_BROKERS=... on stdout
#   scripts/services/kafka.sh stop    # SIGTERM + bounded wait (SIGKILL after 60s)
#   scripts/services/kafka.sh url     # prints KAFKA_BROKERS=... when running, else exit 1
#   scripts/services/kafka.sh status
#
# The broker's jars come from Maven Central via dev/kafka/pom.xml
# (mvn dependency:copy-dependencies, runtime scope) into a cached lib dir that is reused
# while the POM is unchanged. Java 17+ and Maven are installed from Debian when missing
# (root only). State (KRaft metadata + logs) lives in $KIMAP_STATE_DIR/kafka.
#
# Env: KIMAP_STATE_DIR (default .cache/services), KIMAP_KAFKA_LIB_DIR (default
#      .cache/kafka-lib), KIMAP_KAFKA_PORT (default 19092), KIMAP_KAFKA_CONTROLLER_PORT
#      (default 19093; when the ports are unset and busy, free ones are picked),
#      KIMAP_KAFKA_START_TIMEOUT (seconds, default 90), KIMAP_KAFKA_HEAP (default
#      "-Xms256m -Xmx512m").
# Writes $KIMAP_STATE_DIR/kafka.env with the KAFKA_BROKERS line.
set -euo pipefail

SVC_NAME=kafka
# shellcheck source=scripts/services/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM="$REPO_ROOT/dev/kafka/pom.xml"
LIB_DIR="${KIMAP_KAFKA_LIB_DIR:-$REPO_ROOT/.cache/kafka-lib}"
KAFKA_BASE="$KIMAP_STATE_DIR/kafka"
DATA_DIR="$KAFKA_BASE/data"
LOG_DIR="$KAFKA_BASE/logs"
PID_FILE="$KAFKA_BASE/kafka.pid"
PORT_FILE="$KAFKA_BASE/ports"
PROPS="$KAFKA_BASE/server.properties"
LOG4J="$KAFKA_BASE/log4j2.properties"
TOOLS_LOG4J="$KAFKA_BASE/log4j2-tools.properties"
ENV_FILE="$KIMAP_STATE_DIR/kafka.env"
START_TIMEOUT="${KIMAP_KAFKA_START_TIMEOUT:-90}"
HEAP="${KIMAP_KAFKA_HEAP:--Xms256m -Xmx512m}"

# ---------------------------------------------------------------- prerequisites

# Major Java version ("17", "21"; "8" for 1.8), empty when there is no java.
java_major() {
  command -v java >/dev/null 2>&1 || return 0
  java -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = //p' | head -n 1 | sed 's/^1\.//' || true
}

ensure_java_maven() {
  local pkgs=() v
  v="$(java_major)"
  if [ -z "$v" ] || [ "$v" -lt 17 ]; then
    pkgs+=(openjdk-17-jdk-headless)
  fi
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  if [ "${#pkgs[@]}" -gt 0 ]; then
    log "missing: ${pkgs[*]}"
    apt_install "${pkgs[@]}"
    v="$(java_major)"
  fi
  if [ -z "$v" ] || [ "$v" -lt 17 ]; then
    die "Kafka 4.x needs Java 17+ on PATH, found '${v:-none}'"
  fi
}

# The lib dir holds a .complete marker with the POM's checksum; any change to the POM
# (e.g. a version bump) refreshes it.
ensure_lib() {
  local sum
  sum="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [ -f "$LIB_DIR/.complete" ] && [ "$(cat "$LIB_DIR/.complete")" = "$sum" ]; then
    return 0
  fi
  ensure_java_maven
  local t0 tmp
  t0="$(now_ms)"
  tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$LIB_DIR")"
  log "fetching broker jars with Maven into $LIB_DIR"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies -Dkafka.lib.dir="$tmp" >"$tmp.log" 2>&1; then
    tail -n 40 "$tmp.log" >&2 || true
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed (full log: $tmp.log)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar in $tmp after Maven ran"
  printf '%s\n' "$sum" >"$tmp/.complete"
  rm -rf "$LIB_DIR" "$tmp.log"
  mv "$tmp" "$LIB_DIR"
  log "jars ready ($(find "$LIB_DIR" -name '*.jar' | wc -l) jars, $(($(now_ms) - t0)) ms)"
}

# ---------------------------------------------------------------- process state

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "$pid"
}

emit_url() {
  local line="KAFKA_BROKERS=127.0.0.1:$1"
  printf '%s\n' "$line" >"$ENV_FILE"
  printf '%s\n' "$line"
}

# Admin call against the broker: describeCluster via Kafka's own ClusterTool.
admin_ready() {
  local port="$1"
  timeout 30 java -Xshare:auto -XX:TieredStopAtLevel=1 -Xmx128m \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$LIB_DIR/*" \
    org.apache.kafka.tools.ClusterTool cluster-id --bootstrap-server "127.0.0.1:$port" \
    >"$KAFKA_BASE/probe.out" 2>&1 \
    && grep -q '^Cluster ID:' "$KAFKA_BASE/probe.out"
}

# ---------------------------------------------------------------- config

write_config() {
  local port="$1" cport="$2"
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  cat >"$PROPS" <<EOF
# Written by scripts/services/kafka.sh on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR

# Single node: every internal topic has one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=1

# Test speed: consumers join at once; topics appear on first use.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true

# Small footprint (2 cores, 512 MiB heap).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.dedupe.buffer.size=16777216
EOF
  cat >"$LOG4J" <<EOF
# Written by scripts/services/kafka.sh: everything to a file, nothing on the console.
status = warn
name = kimap-kafka
# Kafka logs while the JVM shuts down; log4j's own shutdown hook would complain on stdout.
shutdownHook = disable
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $LOG_DIR/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = info
logger.kafkaorg.name = org.apache.kafka
logger.kafkaorg.level = info
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = warn
EOF
  cat >"$TOOLS_LOG4J" <<'EOF'
# For the CLI tools run by scripts/services/kafka.sh (StorageTool, ClusterTool).
status = warn
name = kimap-kafka-tools
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.err.ref = STDERR
EOF
}

format_storage() {
  if [ -f "$DATA_DIR/meta.properties" ]; then
    return 0
  fi
  local cid
  if [ ! -s "$KAFKA_BASE/cluster.id" ]; then
    cid="$(java -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$LIB_DIR/*" kafka.tools.StorageTool random-uuid 2>>"$LOG_DIR/storage-tool.log")" \
      || die "StorageTool random-uuid failed (see $LOG_DIR/storage-tool.log)"
    printf '%s\n' "$cid" >"$KAFKA_BASE/cluster.id"
  fi
  cid="$(cat "$KAFKA_BASE/cluster.id")"
  log "formatting KRaft storage (cluster id $cid)"
  java -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$LIB_DIR/*" kafka.tools.StorageTool \
    format -t "$cid" -c "$PROPS" -g >>"$LOG_DIR/storage-tool.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/storage-tool.log" >&2; die "StorageTool format failed"; }
}

# ---------------------------------------------------------------- commands

choose_port() { # choose_port ENV_VALUE SAVED DEFAULT AVOID -> port
  local explicit="$1" saved="$2" def="$3" avoid="$4" p
  if [ -n "$explicit" ]; then
    port_in_use "$explicit" && die "port $explicit (set by env) is already in use on 127.0.0.1"
    printf '%s\n' "$explicit"
    return 0
  fi
  for p in $saved $def; do
    if [ "$p" != "$avoid" ] && ! port_in_use "$p"; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  p="$(pick_port $((def + 2)))" || die "no free port found from $def"
  [ "$p" != "$avoid" ] || p="$(pick_port $((p + 1)))" || die "no free port found"
  log "port $def busy, using $p"
  printf '%s\n' "$p"
}

cmd_start() {
  with_lock kafka
  mkdir -p "$KAFKA_BASE"

  local pid
  if pid="$(running_pid)"; then
    local port
    port="$(cut -d' ' -f1 "$PORT_FILE")"
    log "already running (pid $pid) on 127.0.0.1:$port"
    emit_url "$port"
    return 0
  fi
  rm -f "$PID_FILE"
  ensure_lib
  ensure_java_maven

  local saved_port="" saved_cport="" port cport
  if [ -f "$PORT_FILE" ]; then
    read -r saved_port saved_cport <"$PORT_FILE" || true
  fi
  port="$(choose_port "${KIMAP_KAFKA_PORT:-}" "$saved_port" 19092 "")"
  cport="$(choose_port "${KIMAP_KAFKA_CONTROLLER_PORT:-}" "$saved_cport" 19093 "$port")"
  printf '%s %s\n' "$port" "$cport" >"$PORT_FILE"

  local t0
  t0="$(now_ms)"
  write_config "$port" "$cport"
  format_storage

  log "starting broker on 127.0.0.1:$port (controller :$cport, log $LOG_DIR/server.log)"
  # setsid: own session, so a Ctrl-C in the calling terminal doesn't kill the broker.
  # 9>&-: don't let the broker inherit the lock fd.
  # shellcheck disable=SC2086 # HEAP is a list of JVM flags
  setsid java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$LIB_DIR/*" kafka.Kafka "$PROPS" \
    </dev/null >"$LOG_DIR/kafka.out" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + START_TIMEOUT)) up=0
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG_DIR/kafka.out" "$LOG_DIR/server.log" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      die "broker exited during start-up (logs in $LOG_DIR)"
    fi
    if [ "$up" -eq 0 ] && port_in_use "$port"; then
      up=1
      log "port $port open after $(($(now_ms) - t0)) ms; waiting for an admin call"
    fi
    if [ "$up" -eq 1 ] && admin_ready "$port"; then
      log "ready in $(($(now_ms) - t0)) ms (pid $pid)"
      emit_url "$port"
      return 0
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG_DIR/server.log" "$KAFKA_BASE/probe.out" >&2 2>/dev/null || true
  log "not ready after ${START_TIMEOUT}s; stopping it"
  kill -TERM "$pid" 2>/dev/null || true
  die "broker did not become ready within ${START_TIMEOUT}s (logs in $LOG_DIR)"
}

cmd_stop() {
  with_lock kafka
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE" "$ENV_FILE"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 60s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE" "$ENV_FILE"
  log "stopped"
}

cmd_url() {
  running_pid >/dev/null || die "not running (start it with: $0 start)"
  emit_url "$(cut -d' ' -f1 "$PORT_FILE")"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    log "running (pid $pid) on 127.0.0.1:$(cut -d' ' -f1 "$PORT_FILE")"
  else
    log "stopped"
    exit 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac
