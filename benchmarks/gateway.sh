#!/usr/bin/env bash
# The gateway figures, in one run, side by side (a run mode of its own; run.sh does the rest):
#   - plain HTTP proxying: the Vireo gateway vs Spring Cloud Gateway (server-webflux 5.0.4), both
#     in front of the same reactor-netty backend, 64 connections with one request in flight each
#     (wrk, Debian's package: apt-get install wrk);
#     the backend alone as the reference;
#   - HTTP JSON -> Vireo RPC through the gateway vs the same call made directly by a Vireo client
#     (LoadClient vireo-rsocket, unary at 64 in flight), to the same Echo service.
#
#   benchmarks/gateway.sh quick   # about 2 minutes: 3 s warm-up + 3 s per figure (a smoke run)
#   benchmarks/gateway.sh full    # about 10 minutes: 40 s of JIT warm-up per server, then 20 s warm-up + 10 s per figure, 2 rounds
#
# Writes results/gateway-latest.md (and the RESULT lines in results/gateway-raw/). Every JVM is
# bounded by `timeout`; servers are stopped by their PID.
set -euo pipefail

MODE=${1:-quick}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
case "$MODE" in
  quick) WARM=3; MEASURE=3; ROUNDS=${ROUNDS:-1}; JIT=5 ;;
  full)  WARM=20; MEASURE=10; ROUNDS=${ROUNDS:-2}; JIT=40 ;;
  *) echo "usage: $0 [quick|full]" >&2; exit 2 ;;
esac
RUN="$HERE/target/gateway-run"
rm -rf "$RUN"; mkdir -p "$RUN/results" "$HERE/results"
MAX=$(( 120 + 4 * (JIT + 5) + ROUNDS * 6 * (WARM + MEASURE + 10) ))

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

# HTTP load: wrk (Debian's package `wrk`), one thread, 64 connections with one request in flight
# each, latencies from its --latency distribution; one RESULT line per figure, as LoadClient prints
command -v wrk > /dev/null || { echo "gateway.sh needs wrk on the PATH (apt-get install wrk)"; exit 1; }
load() { # name url method body
  local script="$RUN/wrk-$1.lua" out="$RUN/wrk-$1.txt"
  if [[ $4 == - ]]; then
    printf 'wrk.method = "%s"\n' "$3" > "$script"
  else
    printf 'wrk.method = "%s"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$3" "$(cat "$4")" > "$script"
  fi
  timeout $(( WARM + 30 )) wrk -t1 -c64 -d"${WARM}s" -s "$script" "$2" > /dev/null 2>&1 || true
  if ! timeout $(( MEASURE + 30 )) wrk -t1 -c64 -d"${MEASURE}s" --latency -s "$script" "$2" > "$out" 2>&1; then
    echo "   $1: wrk failed (see $out)"; return 0
  fi
  python3 - "$1" "$out" >> "$RUN/results/gateway.txt" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def micros(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = micros(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = micros(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors += int(bad.group(1)) if bad else 0
print(f"RESULT name={name} impl={name} scenario=http inflight=64 ops_per_s={rate:.0f} p50_us={p50:.1f} p99_us={p99:.1f} errors={errors}")
PY
  grep "name=$1 " "$RUN/results/gateway.txt" | tail -1 | sed 's/^/     /' || true
}

# every JVM compiles its hot path first, unmeasured (on 2 cores Spring Cloud Gateway is still
# far from its steady state after 20 s), so that the first round does not measure the JIT
echo "== JIT warm-up, ${JIT} s per server, not measured"
for url in "http://127.0.0.1:$BACKEND/bench/x" "http://127.0.0.1:$VIREO/bench/x" "http://127.0.0.1:$SCG/bench/x"; do
  timeout $(( JIT + 30 )) wrk -t1 -c64 -d"${JIT}s" "$url" > /dev/null 2>&1 || true
done
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$(cat "$RUN/echo.json")" > "$RUN/wrk-warm.lua"
timeout $(( JIT + 30 )) wrk -t1 -c64 -d"${JIT}s" -s "$RUN/wrk-warm.lua" "http://127.0.0.1:$VIREO/echo/Unary" > /dev/null 2>&1 || true

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
