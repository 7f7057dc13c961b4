#!/usr/bin/env bash
# Builds the benchmarks, runs them all, writes results/latest.md and results/latest.svg.
#
#   benchmarks/run.sh quick   # about 4-5 minutes on 2 cores: short warm-ups, a smoke run
#   benchmarks/run.sh full    # about 30 minutes: 6 s warm-up per figure (and per client JVM), 2 rounds
#
# Environment: ROUNDS (default 1 quick, 2 full: the order of Vireo, raw, wrapped (and Armeria) reverses each round),
# ONLY (space-separated subset of: jmh rsocket grpc kafka), JFR=1 (record each load JVM with
# Flight Recorder into target/run/*.jfr; summarize with scripts/jfr-top.py).
# Every JVM is bounded by `timeout`; servers exit by themselves and are stopped by their PID.
set -euo pipefail

MODE=${1:-quick}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
case "$MODE" in
  quick) WARM=3; MEASURE=2; ROUNDS=${ROUNDS:-1}; JMH_OPTS=(-f 1 -wi 1 -w 1s -i 1 -r 1s); KWARM=2; KMEASURE=2 ;;
  full)  WARM=6; MEASURE=5; ROUNDS=${ROUNDS:-2}; JMH_OPTS=(-f 1 -wi 2 -w 2s -i 2 -r 2s); KWARM=8; KMEASURE=8 ;;
  *) echo "usage: $0 [quick|full]" >&2; exit 2 ;;
esac
ONLY=${ONLY:-"jmh rsocket grpc kafka"}
RUN="$HERE/target/run"
rm -rf "$RUN"; mkdir -p "$RUN/results" "$HERE/results"

echo "== build"
(cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl benchmarks -am) > "$RUN/build.log" 2>&1 \
  || { tail -40 "$RUN/build.log"; exit 1; }
CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
JAVA_OPTS=(-Xms512m -Xmx1g -XX:+UseParallelGC)

load_report() {
  echo "$(date -u +%H:%M:%S) load average: $(cut -d' ' -f1-3 /proc/loadavg); busiest processes:"
  ps -eo pcpu=,comm= --sort=-pcpu | head -5 | sed 's/^/    /'
}
load_report > "$RUN/load-before.txt"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

jfr_opts() { # name
  if [[ "${JFR:-0}" == 1 ]]; then echo "-XX:StartFlightRecording=filename=$RUN/$1.jfr,settings=profile"; fi
}

# A group is one transport's implementations (Vireo, raw, Vireo with the wrapper chain, and for
# gRPC the Armeria peer server), measured interleaved: every server JVM is up for the whole group,
# and each scenario is run by each implementation in turn, a client JVM each, before the next
# scenario. Pairs that ran one whole implementation after the other (80 s each) disagreed by up
# to 2x with the position in the group (the session-4 and session-5 runs in README.md): what a
# slow stretch of the machine costs now falls on every implementation of the scenario it hits.
declare -A SERVER_PORT SERVER_PID

start_server() { # impl round lifetime
  local impl=$1 round=$2 lifetime=$3 port
  port=$(free_port)
  timeout $(( lifetime + 30 )) \
    java "${JAVA_OPTS[@]}" $(jfr_opts "server-$impl-$round") -cp "$CP" io.vireo.benchmarks.LoadServer "$impl" "$port" "$lifetime" \
    > "$RUN/server-$impl-$round.log" 2>&1 &
  SERVER_PID[$impl]=$!
  for _ in $(seq 1 150); do
    grep -q '^READY' "$RUN/server-$impl-$round.log" 2>/dev/null && break
    kill -0 "${SERVER_PID[$impl]}" 2>/dev/null || break
    sleep 0.2
  done
  if grep -q '^READY' "$RUN/server-$impl-$round.log"; then
    SERVER_PORT[$impl]=$port
    echo "   $impl server, round $round, on port $port"
  else
    echo "   $impl: server did not start (see $RUN/server-$impl-$round.log); skipped"
    kill "${SERVER_PID[$impl]}" 2>/dev/null || true
    SERVER_PORT[$impl]=""
  fi
}

client_run() { # impl round scenario
  local impl=$1 round=$2 scenario=$3 port=${SERVER_PORT[$1]}
  [[ -n $port ]] || return 0
  timeout $(( 90 + 2 * WARM + MEASURE )) \
    java "${JAVA_OPTS[@]}" $(jfr_opts "client-$impl-$scenario-$round") -cp "$CP" io.vireo.benchmarks.LoadClient "$impl" "$port" "$WARM" "$MEASURE" "$scenario" \
    >> "$RUN/results/$impl-$round.txt" 2>> "$RUN/client-$impl-$round.log" || echo "   $impl $scenario: client failed (see $RUN/client-$impl-$round.log)"
  grep '^RESULT' "$RUN/results/$impl-$round.txt" | tail -1 | sed 's/^/     /' || true
}

SCENARIOS="unary-1 unary-64 server-stream client-stream bidi fire"
for round in $(seq 1 "$ROUNDS"); do
  for transport in rsocket grpc; do
    [[ " $ONLY " == *" $transport "* ]] || continue
    echo "== $transport, round $round"
    impls="vireo raw wrapped"
    [[ $transport == grpc ]] && impls="$impls armeria"
    # the order reverses between rounds
    if (( round % 2 == 1 )); then order=$impls; else order=$(echo "$impls" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    count=$(echo $order | wc -w)
    lifetime=$(( 60 + 6 * count * (2 * WARM + MEASURE + 15) ))
    for who in $order; do start_server "$who-$transport" "$round" "$lifetime"; done
    for scenario in $SCENARIOS; do
      for who in $order; do client_run "$who-$transport" "$round" "$scenario"; done
    done
    for who in $order; do
      kill "${SERVER_PID[$who-$transport]}" 2>/dev/null || true
      wait "${SERVER_PID[$who-$transport]}" 2>/dev/null || true
    done
  done
done

if [[ " $ONLY " == *" kafka "* ]]; then
  echo "== kafka"
  timeout 600 java "${JAVA_OPTS[@]}" -cp "$CP" io.vireo.benchmarks.KafkaRun "$KWARM" "$KMEASURE" \
    > "$RUN/results/kafka.txt" 2> "$RUN/kafka.log" || echo "   kafka run failed (see $RUN/kafka.log)"
  grep '^RESULT' "$RUN/results/kafka.txt" | sed 's/^/     /' || true
fi

if [[ " $ONLY " == *" jmh "* ]]; then
  echo "== jmh"
  timeout 1200 java "${JAVA_OPTS[@]}" -cp "$CP" org.openjdk.jmh.Main "${JMH_OPTS[@]}" -prof gc \
    -rf text -rff "$RUN/jmh.txt" 'io.vireo.benchmarks.*Benchmark' > "$RUN/jmh.log" 2>&1 \
    || echo "   jmh failed (see $RUN/jmh.log)"
fi

load_report > "$RUN/load-after.txt"
MACHINE="Run \`$MODE\` ($ROUNDS round(s), warm-up ${WARM} s, measurement ${MEASURE} s per figure) on $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1).
Other CPU users, before: \`$(head -1 "$RUN/load-before.txt")\`; after: \`$(head -1 "$RUN/load-after.txt")\`."
java -cp "$CP" io.vireo.benchmarks.Report "$RUN/results" "$HERE/results" "$MACHINE" "$RUN/jmh.txt"
rm -rf "$HERE/results/raw"; cp -r "$RUN/results" "$HERE/results/raw"
cat "$RUN/load-before.txt" "$RUN/load-after.txt" > "$HERE/results/load.txt"
echo "== done: $HERE/results/latest.md"
