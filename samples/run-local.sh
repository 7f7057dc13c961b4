#!/usr/bin/env bash
# The samples as separate processes on a real ZooKeeper and Kafka, without Docker:
# builds the samples jar if it is missing, starts `dev-env` (ZooKeeper and a KRaft Kafka broker,
# child processes on fixed loopback ports), two greeters, the orders flow (orders, two inventory
# instances sharing order.placed, a notifier), runs the client, prints what each process did,
# and stops everything it started (also on Ctrl-C or SIGTERM).
#
#   samples/run-local.sh
#
# Ports (environment, the same names dev-env reads): VIREO_SAMPLES_DEV_ENV_ZOOKEEPER_PORT (22181),
# VIREO_SAMPLES_DEV_ENV_KAFKA_PORT (29092), VIREO_SAMPLES_DEV_ENV_KAFKA_CONTROLLER_PORT (29093).
# JAVA_OPTS: JVM options of the sample processes.
#
# docker/docker-compose.yml runs the same services with the same commands and settings
# (SamplesComposeTest parses the `start`/`run` lines and SETTINGS below and compares).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/samples/target/vireo-samples.jar"
GATEWAY_JAR="$ROOT/gateway/target/vireo-gateway.jar"
GATEWAY_PORT=${VIREO_GATEWAY_PORT:-28080}
ZK_PORT=${VIREO_SAMPLES_DEV_ENV_ZOOKEEPER_PORT:-22181}
KAFKA_PORT=${VIREO_SAMPLES_DEV_ENV_KAFKA_PORT:-29092}
read -r -a JVM <<< "${JAVA_OPTS:--Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
ORDERS=4            # the client's vireo.samples.client.orders below
START_TIMEOUT=90    # seconds for each process to say it is ready

# Every sample gets these (only the addresses differ in docker-compose.yml).
SETTINGS=(
  vireo.registry=zookeeper
  vireo.registry.zookeeper.connect=127.0.0.1:$ZK_PORT
  vireo.registry.zookeeper.session-timeout=4s
  vireo.registry.zookeeper.connection-timeout=3s
  vireo.broker=kafka
  vireo.broker.kafka.bootstrap-servers=127.0.0.1:$KAFKA_PORT
  vireo.server.host=127.0.0.1
  vireo.server.advertise-host=127.0.0.1
)

say() { echo "run-local: $*"; }

if [[ ! -f "$JAR" || ! -f "$GATEWAY_JAR" ]]; then
  say "building $JAR and $GATEWAY_JAR"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl samples,gateway -am)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vireo-run-local.XXXXXX")
NAMES=()
PIDS=()

stop_all() {
  local status=$?
  trap - EXIT INT TERM
  # samples first (they deregister and leave their groups), dev-env last
  local i pid n
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((n = 0; n < 200; n++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "${NAMES[i]} did not stop within 20s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  ((${#PIDS[@]} == 0)) || say "stopped ${NAMES[*]}"
  rm -rf "$WORK"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME COMMAND [key=value...]: a sample in the background; waits for its ready file.
start() {
  local name=$1 command=$2
  shift 2
  local props=() kv
  for kv in "${SETTINGS[@]}" "$@"; do props+=("-D$kv"); done
  java "${JVM[@]}" "${props[@]}" "-Dvireo.samples.ready-file=$WORK/$name.ready" \
    -jar "$JAR" "$command" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  NAMES+=("$name")
  PIDS+=("$!")
}

# start_gateway [key=value...]: the API gateway (gateway/) in the background, with SETTINGS.
start_gateway() {
  local props=() kv
  for kv in "${SETTINGS[@]}" "$@"; do props+=("-D$kv"); done
  java "${JVM[@]}" "${props[@]}" -jar "$GATEWAY_JAR" > "$WORK/gateway.out" 2> "$WORK/gateway.err" &
  NAMES+=(gateway)
  PIDS+=("$!")
}

# run NAME COMMAND [key=value...]: a sample in the foreground, its output shown.
run() {
  local name=$1 command=$2
  shift 2
  local props=() kv
  for kv in "${SETTINGS[@]}" "$@"; do props+=("-D$kv"); done
  java "${JVM[@]}" "${props[@]}" -jar "$JAR" "$command" 2> "$WORK/$name.err" | tee "$WORK/$name.out"
}

await_ready() {
  local name i n
  for name in "$@"; do
    for ((n = 0; n < START_TIMEOUT * 10; n++)); do
      [[ -f "$WORK/$name.ready" ]] && break
      for ((i = 0; i < ${#NAMES[@]}; i++)); do
        if [[ ${NAMES[i]} == "$name" ]] && ! kill -0 "${PIDS[i]}" 2>/dev/null; then
          say "$name exited before it was ready:"
          cat "$WORK/$name.out" "$WORK/$name.err" >&2
          exit 1
        fi
      done
      sleep 0.1
    done
    if [[ ! -f "$WORK/$name.ready" ]]; then
      say "$name not ready within ${START_TIMEOUT}s:"
      cat "$WORK/$name.out" "$WORK/$name.err" >&2
      exit 1
    fi
    say "$(cat "$WORK/$name.ready")"
  done
}

# count FILE TEXT: how many lines of FILE contain TEXT
count() { grep -c -F -- "$2" "$1" 2>/dev/null || true; }

# dev-env reads its ports from the environment (vireo.samples.dev-env.*), not from SETTINGS
export VIREO_SAMPLES_DEV_ENV_ZOOKEEPER_PORT=$ZK_PORT VIREO_SAMPLES_DEV_ENV_KAFKA_PORT=$KAFKA_PORT
java -Xmx64m "-Dvireo.samples.ready-file=$WORK/dev-env.ready" -jar "$JAR" dev-env \
  > "$WORK/dev-env.out" 2> "$WORK/dev-env.err" &
NAMES+=(dev-env)
PIDS+=("$!")
await_ready dev-env

start greeter-1 greeter
start greeter-2 greeter
start orders orders
start inventory-1 inventory
start inventory-2 inventory
start notifier notifier
await_ready greeter-1 greeter-2 orders inventory-1 inventory-2 notifier
start_gateway vireo.gateway.port=$GATEWAY_PORT vireo.gateway.host=127.0.0.1 vireo.gateway.discovery.enabled=true

say "the client calls the greeters and places orders:"
status=0
run client client vireo.samples.client.loop=4 vireo.samples.client.orders=4 || status=$?

# the flow ends when the notifier has heard one stock.reserved per accepted order
placed=$(count "$WORK/client.out" "accepted by")
for ((n = 0; n < 600; n++)); do
  (($(count "$WORK/notifier.out" "stock reserved") >= placed)) && break
  sleep 0.1
done
if (($(count "$WORK/notifier.out" "stock reserved") < placed)); then
  say "the notifier did not hear stock.reserved for all $placed orders within 60s"
  status=1
fi

# the gateway: HTTP JSON into the greeter (unary, then a server stream as NDJSON)
for ((n = 0; n < START_TIMEOUT * 10; n++)); do
  curl -sf "http://127.0.0.1:$GATEWAY_PORT/_gateway/health" > /dev/null 2>&1 && break
  sleep 0.1
done
say "through the gateway on port $GATEWAY_PORT:"
curl -sS -X POST "http://127.0.0.1:$GATEWAY_PORT/greeter/SayHello" -d '{"name":"curl"}' || status=1
echo
curl -sS -X POST "http://127.0.0.1:$GATEWAY_PORT/greeter/LotsOfReplies" -d '{"name":"curl"}' || status=1

say "what the services printed:"
for name in greeter-1 greeter-2 orders inventory-1 inventory-2 notifier; do
  echo "--- $name"
  cat "$WORK/$name.out"
done
if ((status != 0)); then
  say "failed (exit $status); the client's log:"
  cat "$WORK/client.err" >&2
fi
exit "$status"
