#!/usr/bin/env bash
# ipamd benchmarks against the EC2 emulator (LocalStack), the real daemon. Not part of the tests.
#   bench/ipamd.sh [ROUNDS=20]     (after `mvn install -DskipTests`; starts LocalStack unless one is running)
# 1. add/delete RPC latency, 50 concurrent clients, 250 pods, checkpoint fsync included, and the daemon's
#    resident memory with 250 pods, for the JVM flag variants below (the daemon as a child process);
# 2. a burst of 100 pods on an empty node: time until all have addresses, EC2 calls used.
# Writes the results to BENCHMARKS.md (replacing this benchmark's section, bench/write-section.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-20}"
# JVM flag variants of the daemon, from the JVM's defaults to the leanest (README, "ipamd memory").
VARIANTS=(
  "defaults="
  "serialgc+64m=-XX:+UseSerialGC -Xmx64m -XX:+ExitOnOutOfMemoryError"
  "lean=-XX:+UseSerialGC -Xmx32m -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -Xss256k -XX:+ExitOnOutOfMemoryError"
)

source "$ROOT/bench/it-classpath.sh"
java=("$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp")

load_before="$(cut -d" " -f1-3 /proc/loadavg)"
"${java[@]}" io.vpccni.it.ipamd.IpamdLatencyBench "$ROUNDS" "${VARIANTS[@]}" > "$tmp/latency.md"
"${java[@]}" io.vpccni.it.ipamd.IpamdBurstBench > "$tmp/burst.md"

section="$tmp/section.md"
{
  echo "## ipamd: add RPC latency, resident memory, burst"
  echo
  echo "Command: \`bench/ipamd.sh $ROUNDS\` (as root, LocalStack running, after \`mvn install -DskipTests\`). $(date -u +%F)."
  echo "The real daemon (\`DaemonWithoutDataPlane\`: Main's composition without host networking) against the EC2"
  echo "emulator with a test IMDS; clients are platform threads in the benchmark's JVM, each request a fresh"
  echo "connection to the Unix socket, timed from connect to reply. Targets (docs/plugin-startup.md, \"Targets\"):"
  echo "add p99 under 10 ms with 50 concurrent adds, checkpoint fsync included; resident memory under 100 MiB at 250"
  echo "pods (aws-vpc-cni's CI gate: 200 MiB)."
  echo
  echo "### Add RPC latency and memory at 250 pods"
  echo
  cat "$tmp/latency.md"
  echo
  echo "### Burst: 100 pods at once on an empty node"
  echo
  cat "$tmp/burst.md"
  echo "Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/^Mem:/ {print $2}') MiB RAM;"
  echo "kernel $(uname -r); load average before / after the whole run: $load_before / $(cut -d" " -f1-3 /proc/loadavg)"
  echo "(shared with other builds and tests; the emulator runs on the same CPUs)."
} > "$section"
cat "$section"
"$ROOT/bench/write-section.sh" "ipamd: add RPC latency, resident memory, burst" "$section"
