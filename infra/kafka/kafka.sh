#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for development and CI, run straight
# from the Maven Central jars: no Docker, no Kafka tarball.
#
#   infra/kafka/kafka.sh fetch    copy the jars into infra/kafka/libs/ (only when missing or out of date)
#   infra/kafka/kafka.sh start    format storage once, start in the background, wait until the broker answers
#   infra/kafka/kafka.sh status   exit 0 if running, 3 if not
#   infra/kafka/kafka.sh stop     SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT (30 s)
#   infra/kafka/kafka.sh reset    stop and delete the state directory
#
# Environment: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), ANXIN_RUN_DIR (<repo>/.run; state goes in
# $ANXIN_RUN_DIR/kafka), KAFKA_HEAP_OPTS (-Xms256m -Xmx768m), KAFKA_OPTS (extra JVM flags),
# KAFKA_START_TIMEOUT (90), KAFKA_STOP_TIMEOUT (30), JAVA_HOME.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The pinned version lives in pom.xml only.
KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$here/pom.xml")"
libs="$here/libs"
stamp="$libs/.stamp"

run_dir="${ANXIN_RUN_DIR:-$root/.run}"
case "$run_dir" in /*) ;; *) run_dir="$PWD/$run_dir" ;; esac
state="$run_dir/kafka"
data="$state/data"
logs="$state/logs"
pidfile="$state/kafka.pid"
props="$state/server.properties"

host="127.0.0.1"
port="${KAFKA_PORT:-19092}"
cport="${KAFKA_CONTROLLER_PORT:-19093}"
start_timeout="${KAFKA_START_TIMEOUT:-90}"
stop_timeout="${KAFKA_STOP_TIMEOUT:-30}"

say() { echo "kafka: $*"; }
die() { echo "kafka: $*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------------- jars

fetch() {
  [ -n "$KAFKA_VERSION" ] || die "no <kafka.version> in $here/pom.xml"
  local want
  want="kafka $KAFKA_VERSION pom $(sha256sum "$here/pom.xml" | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka jars from Maven Central"
  local incoming="$libs/.incoming" out
  rm -rf "$incoming"
  mkdir -p "$incoming"
  # mvn -q still prints ANSI resets and, on failure, the error: keep it all and show it only on failure.
  if ! out="$(mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$incoming" -DincludeScope=runtime 2>&1)"; then
    rm -rf "$incoming"
    printf '%s\n' "$out" >&2
    die "fetching the Kafka $KAFKA_VERSION jars from Maven Central failed"
  fi
  [ -f "$incoming/kafka_2.13-$KAFKA_VERSION.jar" ] || die "Maven did not produce kafka_2.13-$KAFKA_VERSION.jar"
  rm -f "$libs"/*.jar "$stamp"
  mv "$incoming"/*.jar "$libs/"
  rmdir "$incoming"
  echo "$want" >"$stamp"
}

# ---------------------------------------------------------------------------------------------------- java

java_bin=""
find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java_bin="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null; then
    java_bin="$(command -v java)"
  else
    die "java (11 or newer) not found; install a JDK/JRE or set JAVA_HOME"
  fi
  local v major
  v="$("$java_bin" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  major="${v%%.*}"
  [ "$major" = "1" ] && major="$(echo "$v" | cut -d. -f2)"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt 11 ]; then
    die "Kafka $KAFKA_VERSION needs Java 11+, $java_bin is '$v'"
  fi
}

# Short-lived tool JVMs (StorageTool, BrokerApiVersionsCommand): small heap, fast startup, quiet logging.
tool_timeout=60
tool() {
  timeout "$tool_timeout" "$java_bin" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$here/tools-log4j.properties" -cp "$libs/*" "$@"
}

# ---------------------------------------------------------------------------------------------------- processes

# Alive and not a zombie.
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    local st
    st="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
    [ "$st" != "Z" ] || return 1
  fi
}

# The process is the broker of this state directory: java ... kafka.Kafka <state>/server.properties.
is_our_kafka() {
  pid_alive "$1" || return 1
  local args
  if [ -r "/proc/$1/cmdline" ]; then args="$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null)"; else args="$(ps -o args= -p "$1" | tr ' ' '\n')"; fi
  grep -qxF "kafka.Kafka" <<<"$args" && grep -qxF "$props" <<<"$args"
}

# Prints the pid of our broker; also adopts one whose pid file went missing.
find_pid() {
  local pid=""
  [ -f "$pidfile" ] && pid="$(tr -dc '0-9' <"$pidfile")"
  if [ -n "$pid" ] && is_our_kafka "$pid"; then echo "$pid"; return 0; fi
  rm -f "$pidfile"
  if command -v pgrep >/dev/null; then
    for pid in $(pgrep -f -- "kafka.Kafka $props" || true); do
      if is_our_kafka "$pid"; then
        [ -d "$state" ] && echo "$pid" >"$pidfile"
        echo "$pid"
        return 0
      fi
    done
  fi
  return 1
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$host/$1" 2>/dev/null; }

# Succeeds (printing who, if ss can tell) when something listens on TCP port $1.
port_holder() {
  local out who
  if command -v ss >/dev/null; then
    out="$(ss -Hltnp "sport = :$1" 2>/dev/null || true)"
    [ -n "$out" ] || return 1
    who="$(grep -o 'users:(("[^"]*",pid=[0-9]*' <<<"$out" | head -1 | sed -E 's/users:\(\("([^"]*)",pid=([0-9]*)/\1 (pid \2)/' || true)"
    [ -n "$who" ] || who="a process ss cannot name (try: sudo ss -ltnp \"sport = :$1\")"
    echo "$who"
    return 0
  fi
  port_open "$1" || return 1
  echo "an unknown process"
}

# Port the running broker was started with (server.properties is only rewritten while it is stopped).
running_port() { sed -n 's|^advertised\.listeners=PLAINTEXT://[^:]*:\([0-9]*\).*|\1|p' "$props" 2>/dev/null || true; }

lock() {
  mkdir -p "$run_dir"
  exec 9>"$run_dir/.kafka.lock"
  if command -v flock >/dev/null; then
    flock -w $((start_timeout + stop_timeout + 30)) 9 || die "another kafka.sh is still busy (lock $run_dir/.kafka.lock)"
  fi
}

# server.log size before this start's broker was launched: show_logs only prints what this attempt wrote.
log_mark=0
show_logs() {
  local f="$logs/server.log" size
  size="$(stat -c %s "$f" 2>/dev/null || echo 0)"
  if [ "$size" -gt "$log_mark" ]; then
    echo "----- last 40 lines of $f -----" >&2
    tail -c +"$((log_mark + 1))" "$f" | tail -n 40 >&2
  elif [ "$log_mark" -gt 0 ] && [ "$size" -lt "$log_mark" ]; then # rolled over meanwhile
    echo "----- last 40 lines of $f -----" >&2
    tail -n 40 "$f" >&2
  fi
  f="$logs/kafka.out" # the JVM's own stdout/stderr (bad flags, crashes), written afresh by every start
  if [ -s "$f" ]; then
    echo "----- last 40 lines of $f -----" >&2
    tail -n 40 "$f" >&2
  fi
}

# ---------------------------------------------------------------------------------------------------- start

write_properties() {
  cat >"$props" <<EOF
# Generated by infra/kafka/kafka.sh on every start; edits are lost.
# Single-node KRaft: this JVM is both broker and controller (node 1).
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$cport
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$cport
advertised.listeners=PLAINTEXT://$host:$port
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT

log.dirs=$data

# One broker: every replication factor / ISR is 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions than the default 50: faster first consumer group / transaction on a dev box.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10

# Topics are created explicitly (admin client / migrations), never by a stray produce or fetch.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=3
group.initial.rebalance.delay.ms=0
message.max.bytes=2097152
replica.fetch.max.bytes=2097152

# Dev retention: 3 days or 1 GiB per partition, 64 MiB segments so old data can actually be deleted.
log.retention.hours=72
log.retention.bytes=1073741824
log.segment.bytes=67108864
log.retention.check.interval.ms=60000

# Small machines (CI runners have ~2 cores).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1

# After an unclean stop (SIGKILL, crash) the restarted controller refuses the broker's new registration until
# the old incarnation's session expires: 4 s instead of the default 9 s (+ heartbeats) keeps restarts quick.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
EOF
}

format_storage() {
  [ -f "$data/meta.properties" ] && return 0
  local id out
  if [ -s "$state/cluster.id" ]; then
    id="$(cat "$state/cluster.id")"
  else
    # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding (what StorageTool random-uuid prints).
    id="-"
    while [ "${id:0:1}" = "-" ]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
    echo "$id" >"$state/cluster.id"
  fi
  if ! out="$(tool kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$props" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "formatting storage in $data failed"
  fi
  say "formatted storage in $data (cluster id $id)"
}

# Ready = our process is alive, the port accepts connections and a real client round trip (metadata, then
# ApiVersions against the broker it returns) succeeds.
broker_ready() {
  port_open "$port" || return 1
  local out tool_timeout=20
  out="$(tool kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$host:$port" 2>&1)" || return 1
  grep -q "^$host:$port (id: 1 " <<<"$out"
}

wait_ready() {
  local pid="$1" t0="$2" deadline=$((SECONDS + start_timeout))
  until broker_ready; do
    if ! pid_alive "$pid"; then
      rm -f "$pidfile"
      show_logs
      die "the broker exited during startup (see $logs/)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_logs
      die "not ready on $host:$port after ${start_timeout}s (pid $pid still running; see $logs/, stop it with: $0 stop)"
    fi
    sleep 0.5
  done
  say "started on $host:$port (pid $pid) in $(elapsed "$t0")s"
}

start() {
  local t0 pid rp who
  t0="$(now)"
  lock
  if pid="$(find_pid)"; then
    rp="$(running_port)"
    if [ -n "$rp" ] && [ "$rp" != "$port" ]; then
      die "already running on $host:$rp (pid $pid), not on the requested port $port; stop it first: $0 stop"
    fi
    if port_open "$port"; then
      say "already running on $host:$port"
      return 0
    fi
    # Alive but not answering yet: another start is (or was) still bringing it up.
    find_java
    wait_ready "$pid" "$t0"
    return 0
  fi

  local p
  for p in "$port" "$cport"; do
    if who="$(port_holder "$p")"; then
      die "port $host:$p is already in use by $who; free it or choose other ports (KAFKA_PORT=$port, KAFKA_CONTROLLER_PORT=$cport)"
    fi
  done
  [ "$port" != "$cport" ] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $port)"

  fetch
  find_java
  mkdir -p "$data" "$logs"
  write_properties
  format_storage

  local heap=() opts=()
  read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
  read -r -a opts <<<"${KAFKA_OPTS:-}"
  # JVM flags as in Kafka's bin/kafka-run-class.sh (KAFKA_JVM_PERFORMANCE_OPTS, GC log, log4j), minus JMX.
  local jvm=(
    -server "${heap[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -XX:MaxInlineLevel=15 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    "-Xlog:gc*:file=$logs/kafkaServer-gc.log:time,tags:filecount=5,filesize=10M"
    "-Dkafka.logs.dir=$logs" "-Dlog4j.configuration=file:$here/log4j.properties"
    "${opts[@]}"
  )
  # setsid: own session, so Ctrl-C / hang-up of the calling terminal or CI step does not reach the broker.
  # 9>&- : the broker must not inherit the lock.
  log_mark="$(stat -c %s "$logs/server.log" 2>/dev/null || echo 0)"
  (exec setsid nohup "$java_bin" "${jvm[@]}" -cp "$libs/*" kafka.Kafka "$props") \
    >"$logs/kafka.out" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$pidfile"
  wait_ready "$pid" "$t0"
}

# ---------------------------------------------------------------------------------------------------- stop etc.

stop() {
  lock
  local pid
  if ! pid="$(find_pid)"; then
    say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + stop_timeout))
  while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if pid_alive "$pid"; then
    echo "kafka: still running ${stop_timeout}s after SIGTERM, sending SIGKILL to pid $pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    pid_alive "$pid" && die "pid $pid survived SIGKILL"
  fi
  rm -f "$pidfile"
  say "stopped"
}

status() {
  local pid rp
  if pid="$(find_pid)"; then
    rp="$(running_port)"
    rp="${rp:-$port}"
    if port_open "$rp"; then
      say "running on $host:$rp (pid $pid)"
      return 0
    fi
    say "not ready: pid $pid is alive but $host:$rp does not answer"
    return 3
  fi
  say "stopped (port $port)"
  return 3
}

reset() {
  stop
  case "$state" in
    */kafka) ;;
    *) die "refusing to delete unexpected state dir '$state'" ;;
  esac
  rm -rf "$state"
  say "deleted $state"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  reset) reset ;;
  *)
    echo "usage: $0 fetch|start|stop|status|reset" >&2
    exit 2
    ;;
esac
