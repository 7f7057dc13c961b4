#!/usr/bin/env bash
# The gateway figures, in one run, side by side (a run mode of its own; run.sh does the rest):
#   - plain HTTP proxying: the Vireo gateway vs Spring Cloud Gateway (server-webflux 5.0.4), both
#     in front of the same reactor-netty backend, 64 connections with one request in flight each;
#     the backend alone as the reference;
#   - HTTP JSON -> Vireo RPC through the gateway vs the same call made directly by a Vireo client
#     (LoadClient vireo-rsocket, unary at 64 in flight), to the same Echo service.
#
#   benchmarks/gateway.sh quick   # about 3 minutes: 3 s warm-up + 3 s per figure
#   benchmarks/gateway.sh full    # about 8 minutes: 8 s warm-up + 8 s per figure, 2 rounds
#
# Writes results/gateway-latest.md (and the RESULT lines in results/gateway-raw/). Every JVM is
# bounded by `timeout`; servers are stopped by their PID.
set -euo pipefail

MODE=${1:-quick}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
case "$MODE" in
  quick) WARM=3; MEASURE=3; ROUNDS=${ROUNDS:-1} ;;
  full)  WARM=8; MEASURE=8; ROUNDS=${ROUNDS:-2} ;;
  *) echo "usage: $0 [quick|full]" >&2; exit 2 ;;
esac
RUN="$HERE/target/gateway-run"
rm -rf "$RUN"; mkdir -p "$RUN/results" "$HERE/results"
MAX=$(( 120 + ROUNDS * 6 * (WARM + MEASURE + 10) ))

echo "== build"
(cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl benchmarks -am && ./mvnw -B -q package -DskipTests -f benchmarks/scg/pom.xml) \
  > "$RUN/build.log" 2>&1 || { tail -40 "$RUN/build.log"; exit 1; }
CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
SCG_CP="$HERE/scg/target/classes:$(cat "$HERE/scg/target/classpath.txt")"
JAVA_OPTS=(-Xms512m -Xmx1g -XX:+UseParallelGC)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # name command...
  local name=$1; shift
  timeout "$MAX" "$@" > "$RUN/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    grep -q 'READY' "$RUN/$name.log" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "   $name did not start (see $RUN/$name.log)"; exit 1
}

BACKEND=$(free_port); ECHO=$(free_port); VIREO=$(free_port); SCG=$(free_port)
echo "== servers: backend $BACKEND, echo $ECHO, vireo gateway $VIREO, spring cloud gateway $SCG"
start backend java "${JAVA_OPTS[@]}" -cp "$CP" io.vireo.benchmarks.GatewayBench backend "$BACKEND" "$MAX"
start echo java "${JAVA_OPTS[@]}" -cp "$CP" io.vireo.benchmarks.GatewayBench echo "$ECHO" "$MAX"
start vireo-gateway java "${JAVA_OPTS[@]}" -cp "$CP" io.vireo.benchmarks.GatewayBench gateway "$VIREO" "$BACKEND" "$ECHO" "$MAX"
start scg java "${JAVA_OPTS[@]}" -cp "$SCG_CP" io.vireo.benchmarks.scg.ScgMain --server.port="$SCG" --backend="http://127.0.0.1:$BACKEND"
java -cp "$CP" io.vireo.benchmarks.GatewayBench json > "$RUN/echo.json"

load() { # name url method body
  timeout $(( WARM + MEASURE + 60 )) java "${JAVA_OPTS[@]}" -cp "$CP" io.vireo.benchmarks.GatewayBench load "$1" "$2" "$3" "$4" 64 "$WARM" "$MEASURE" \
    >> "$RUN/results/gateway.txt" 2> "$RUN/load-$1.log" || echo "   $1: load failed (see $RUN/load-$1.log)"
  grep "name=$1 " "$RUN/results/gateway.txt" | tail -1 | sed 's/^/     /' || true
}

echo "$(date -u +%H:%M:%S) load average: $(cut -d' ' -f1-3 /proc/loadavg)" > "$RUN/load-before.txt"
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round"
  if (( round % 2 == 1 )); then order="vireo scg"; else order="scg vireo"; fi
  load backend-direct "http://127.0.0.1:$BACKEND/bench/x" GET -
  for who in $order; do
    if [[ $who == vireo ]]; then load vireo-gateway-proxy "http://127.0.0.1:$VIREO/bench/x" GET -
    else load scg-proxy "http://127.0.0.1:$SCG/bench/x" GET -; fi
  done
  load vireo-gateway-json-rpc "http://127.0.0.1:$VIREO/echo/Unary" POST "$RUN/echo.json"
  timeout $(( WARM + MEASURE + 60 )) java "${JAVA_OPTS[@]}" -cp "$CP" io.vireo.benchmarks.LoadClient vireo-rsocket "$ECHO" "$WARM" "$MEASURE" unary-64 \
    2> "$RUN/load-direct.log" | grep '^RESULT' | sed 's/name=vireo-rsocket-unary impl=vireo-rsocket/name=vireo-client-direct impl=vireo-client-direct/' \
    >> "$RUN/results/gateway.txt" || echo "   direct: load failed (see $RUN/load-direct.log)"
  grep "name=vireo-client-direct " "$RUN/results/gateway.txt" | tail -1 | sed 's/^/     /' || true
done
echo "$(date -u +%H:%M:%S) load average: $(cut -d' ' -f1-3 /proc/loadavg)" > "$RUN/load-after.txt"

MACHINE="Run \`$MODE\` ($ROUNDS round(s), warm-up ${WARM} s, measurement ${MEASURE} s per figure) on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1); load generator, gateways, backend and service share the machine.
Load average before: \`$(cat "$RUN/load-before.txt")\`; after: \`$(cat "$RUN/load-after.txt")\`."
java -cp "$CP" io.vireo.benchmarks.GatewayReport "$RUN/results/gateway.txt" "$HERE/results/gateway-latest.md" "$MACHINE"
rm -rf "$HERE/results/gateway-raw"; cp -r "$RUN/results" "$HERE/results/gateway-raw"
echo "== done: $HERE/results/gateway-latest.md"
