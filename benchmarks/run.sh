#!/usr/bin/env bash
# Builds the benchmarks, runs them all, writes results/latest.md and results/latest.svg.
#
#   benchmarks/run.sh quick   # about 4-5 minutes on 2 cores: short warm-ups, a smoke run
#   benchmarks/run.sh full    # about 15-20 minutes: 8 s warm-up per figure, 2 rounds
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
  full)  WARM=8; MEASURE=5; ROUNDS=${ROUNDS:-2}; JMH_OPTS=(-f 1 -wi 2 -w 2s -i 2 -r 2s); KWARM=8; KMEASURE=8 ;;
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

# one implementation: a server JVM and a client JVM, the client's RESULT lines kept; with a
# third argument "settle", a short unmeasured pass whose lines are thrown away (see below)
load_run() { # impl round [settle]
  local impl=$1 round=$2 port pid scenarios n WARM=$WARM MEASURE=$MEASURE JFR=${JFR:-0} out
  out="$RUN/results/$impl-$round.txt"
  if [[ ${3:-} == settle ]]; then WARM=2; MEASURE=1; JFR=0; round="$round-settle"; out="$RUN/settle-$impl-$round.txt"; fi
  port=$(free_port)
  scenarios="unary-1,unary-64,server-stream,client-stream,bidi,fire"
  n=7 # six scenarios and the JVM warm-up
  timeout $(( 60 + n * (WARM + MEASURE) * 2 )) \
    java "${JAVA_OPTS[@]}" $(jfr_opts "server-$impl-$round") -cp "$CP" io.vireo.benchmarks.LoadServer "$impl" "$port" $(( 60 + n * (WARM + MEASURE) * 2 )) \
    > "$RUN/server-$impl-$round.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do
    grep -q '^READY' "$RUN/server-$impl-$round.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if ! grep -q '^READY' "$RUN/server-$impl-$round.log"; then
    echo "   $impl: server did not start (see $RUN/server-$impl-$round.log); skipped"
    kill "$pid" 2>/dev/null || true
    return 0
  fi
  echo "   $impl round $round on port $port"
  timeout $(( 60 + n * (WARM + MEASURE + 35) )) \
    java "${JAVA_OPTS[@]}" $(jfr_opts "client-$impl-$round") -cp "$CP" io.vireo.benchmarks.LoadClient "$impl" "$port" "$WARM" "$MEASURE" "$scenarios" \
    > "$out" 2> "$RUN/client-$impl-$round.log" || echo "   $impl: client failed (see $RUN/client-$impl-$round.log)"
  grep '^RESULT' "$out" | sed 's/^/     /' || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

for round in $(seq 1 "$ROUNDS"); do
  for transport in rsocket grpc; do
    [[ " $ONLY " == *" $transport "* ]] || continue
    echo "== $transport, round $round"
    # Vireo, raw, Vireo with the standard wrapper chain (and for gRPC the Armeria peer server)
    # back to back; the order reverses between rounds
    impls="vireo raw wrapped"
    [[ $transport == grpc ]] && impls="$impls armeria"
    if (( round % 2 == 1 )); then order=$impls; else order=$(echo "$impls" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    # the first pair of JVMs of a group ran slow, whichever implementation it was (the session-4
    # run: fire-and-forget 0.29 of raw with Vireo first, 1.28 with Vireo last): a short pass of
    # the group's first implementation, thrown away, takes that place
    [[ $MODE == full ]] && load_run "${order%% *}-$transport" "$round" settle
    for who in $order; do load_run "$who-$transport" "$round"; done
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
