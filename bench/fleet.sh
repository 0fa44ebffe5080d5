#!/usr/bin/env bash
# Fleet in a box (issue 19): NODES simulated nodes, each running ipamd's real control plane, on one account's
# in-memory EC2 with the emulator's latencies and EC2's token buckets, in virtual time; our ipamd (as it is, with the
# account's EC2 budget on Leases, with WARM_POOL_FOR_BOUND_PODS at WARM_ENI_TARGET=0 without and with the budget;
# ADAPTIVE and BOUND_PODS on request) against a model of aws-vpc-cni's behaviour on the same seed, for five workloads. Needs no LocalStack and no root. Not part of the tests (500 nodes take
# minutes; FleetSimulationTest runs 20 in seconds).
#   bench/fleet.sh [NODES=500] [PODS=10000] [SEED=1] [VARIANTS=OURS,BUDGET,BOUND_PODS_WENI0,BUDGET_BOUND_PODS_WENI0,BASELINE]
# Writes the "Fleet" section of BENCHMARKS.md (bench/write-section.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES="${1:-500}" PODS="${2:-10000}" SEED="${3:-1}"
VARIANTS="${4:-OURS,BUDGET,BOUND_PODS_WENI0,BUDGET_BOUND_PODS_WENI0,BASELINE}"
source "$ROOT/scripts/jdk.sh"
require_jdk25
JDK="$JAVA_HOME"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# Built within the reactor, so that ipamd's tests see this tree's eni-manager test classes, not a stale install.
(cd "$ROOT" && JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
  mvn -B -q -o -pl ipamd -am test-compile dependency:build-classpath -Dmdep.outputFile="$tmp/cp" \
  -Dmdep.includeScope=test >&2)
cp -a "$ROOT/ipamd/target/test-classes" "$tmp/test-classes"; cp -a "$ROOT/ipamd/target/classes" "$tmp/classes"
cp="$tmp/test-classes:$tmp/classes:$(cat "$tmp/cp")"
load_before="$(cut -d" " -f1-3 /proc/loadavg)"
start=$(date +%s)
"$JDK/bin/java" -cp "$cp" io.vpccni.ipamd.fleet.FleetBench "$NODES" "$PODS" "$SEED" "$VARIANTS" > "$tmp/table.md" 2> "$tmp/log"
took=$(( $(date +%s) - start ))
section="$tmp/section.md"
{
  echo "## Fleet in a box: $NODES nodes on one account's EC2, ours against aws-vpc-cni's behaviour"
  echo
  echo "Command: \`bench/fleet.sh $NODES $PODS $SEED\` (no LocalStack, no root). $(date -u +%F); ${took} s of wall time for"
  echo "the $(( 5 * $(tr ',' '\n' <<< "$VARIANTS" | wc -l) )) runs on $(nproc) CPUs (load average before: $load_before; the machine is shared). The same seed gives"
  echo "the same figures (wall seconds aside)."
  echo
  cat "$tmp/table.md"
  echo
  cat "$ROOT/bench/fleet-notes.md"
} > "$section"
"$ROOT/bench/write-section.sh" "Fleet in a box" "$section"
echo "wrote BENCHMARKS.md, section \"Fleet\"" >&2
