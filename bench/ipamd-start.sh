#!/usr/bin/env bash
# ipamd's start to ready and to its first ADD: one node of VPC in a box, a checkpoint with PODS pods, ROUNDS restarts
# of the daemon (SIGTERM, then a new process) with the checkpoint recording the pool and ROUNDS with aws-node's format
# (no pool), alternating, with the image's JVM flags (deploy/image/ipamd.jvm-flags); each timed from the exec to
# /readyz 200 inside the node and to the end of a CNI ADD sent just before the exec, with the daemon's own log lines
# splitting it. Not part of the tests; writes the
# results to BENCHMARKS.md (bench/write-section.sh). BENCH_IPAMD_LOG=FILE keeps a copy of the daemon's log.
#   bench/ipamd-start.sh [ROUNDS=10] [PODS=10]     (root; after `mvn install -DskipTests`; starts LocalStack unless running)
#   IPAMD_COMPARE_FLAGS="-XX:AOTCache=DIR/ipamd.aot" BENCH_IPAMD_JARS=DIR bench/ipamd-start.sh ...
#       starts with those flags and without them alternating instead, both with the pool, the daemon from the jars in
#       DIR (bench/ipamd-jars.sh; the cache trained on them); prints the table, BENCHMARKS.md left as it is
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-10}"
PODS="${2:-10}"
source "$ROOT/bench/it-classpath.sh"
# This tree's modules before the snapshot jars of ~/.m2 on that class path, which another tree may have installed:
# the daemon runs from the benchmark's class path.
for m in ipamd eni-manager rpc cni netlink; do
  [[ -d "$ROOT/$m/target/classes" ]] || { echo "build first: $m/target/classes missing"; exit 1; }
  cp -a "$ROOT/$m/target/classes" "$tmp/$m-classes"; cp="$tmp/$m-classes:$cp"
done
source "$ROOT/bench/ipamd-jars.sh"
load_before="$(cut -d" " -f1-3 /proc/loadavg)"
(cd "$ROOT/test-localstack" && # VPC in a box finds the packaged plugin above its working directory
  "$JDK/bin/java" --enable-native-access=ALL-UNNAMED \
    ${BENCH_IPAMD_LOG:+"-Dvpccni.bench.ipamdLog=$BENCH_IPAMD_LOG"} ${ipamd_cp_property:+"$ipamd_cp_property"} \
    ${IPAMD_COMPARE_FLAGS:+"-Dvpccni.bench.compareFlags=$IPAMD_COMPARE_FLAGS"} \
    -cp "$cp" io.vpccni.it.ipamd.StartToReadyBench "$ROUNDS" "$PODS") > "$tmp/start.md"
if [[ -n "${IPAMD_COMPARE_FLAGS:-}" ]]; then
  echo "Load average before / after: $load_before / $(cut -d" " -f1-3 /proc/loadavg)" >> "$tmp/start.md"
  cat "$tmp/start.md"
  exit 0
fi

section="$tmp/section.md"
{
  echo "## ipamd: start to ready and to the first ADD, serving from the checkpoint"
  echo
  echo "Command: \`bench/ipamd-start.sh $ROUNDS $PODS\` (as root, LocalStack running, after \`mvn install -DskipTests\`)."
  echo "$(date -u +%F). The production daemon in a node namespace of VPC in a box (EC2 is the emulator through the"
  echo "fabric, with its default timing; instance metadata a test IMDS in the node), restarted $ROUNDS times with"
  echo "a checkpoint of $PODS pods that records the pool (adds are served from it before EC2 answers) and $ROUNDS times"
  echo "with the pool taken out of it (aws-node's format: adds wait for EC2), alternating; each start timed from the"
  echo "exec of its JVM to the first 200 of \`/readyz\` on 127.0.0.1:61679 inside the node (curl every 10 ms) and to"
  echo "the end of a pod's CNI ADD sent through the node's runtime just before the exec (the shim waits for the"
  echo "daemon), and split by the daemon's own log lines (their timestamps are the daemon's clock, in ms). The"
  echo "daemon runs this tree's classes."
  echo
  cat "$tmp/start.md"
  echo
  echo "Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/^Mem:/ {print $2}') MiB RAM;"
  echo "kernel $(uname -r); load average before / after: $load_before / $(cut -d" " -f1-3 /proc/loadavg)"
  echo "(shared with other builds and tests; the emulator runs on the same CPUs)."
} > "$section"
cat "$section"
"$ROOT/bench/write-section.sh" "ipamd: start to ready and to the first ADD, serving from the checkpoint" "$section"
