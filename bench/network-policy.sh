#!/usr/bin/env bash
# Network policy on a node: the nftables table for PODS local pods, POLICIES policies and PEERS peer addresses
# (model, render, apply by nft; medians of RUNS), the time from a PolicyEndpoint change to its enforcement through
# the agent (p50, p99), and TCP connection setup rate between two pods with and without that table, all inside
# namespaces of our own (npa-*; nothing in the root namespace changes). Not part of the tests; writes the results
# to BENCHMARKS.md (bench/write-section.sh).
#   bench/network-policy.sh [PODS=250] [POLICIES=100] [PEERS=5000] [RUNS=7] [SECONDS=5]
#   (root, nft installed; after `mvn -pl network-policy -am test-compile`)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-250}"; POLICIES="${2:-100}"; PEERS="${3:-5000}"; RUNS="${4:-7}"; SECONDS_EACH="${5:-5}"
source "$ROOT/scripts/jdk.sh"
require_jdk25
JDK="$JAVA_HOME"
[[ $EUID -eq 0 ]] || { echo "run as root (namespaces)"; exit 1; }
M="$ROOT/network-policy"
[[ -f "$M/target/test-classes/io/vpccni/policy/agent/PolicyTableBench.class" ]] || {
  echo "build first: mvn -pl network-policy -am test-compile"; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$ROOT" && JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
  mvn -B -q -o -pl network-policy dependency:build-classpath -Dmdep.outputFile="$tmp/cp" -Dmdep.includeScope=test >&2)
# This tree's classes (netlink's too) before the snapshot jars of ~/.m2, which another tree may have installed.
cp -a "$M/target/test-classes" "$tmp/test-classes"; cp -a "$M/target/classes" "$tmp/classes"
cp="$tmp/test-classes:$tmp/classes"
for d in "$ROOT/netlink/target/classes" "$ROOT/netlink/target/test-classes"; do
  [[ -d "$d" ]] && { cp -a "$d" "$tmp/nl-$(basename "$d")"; cp="$cp:$tmp/nl-$(basename "$d")"; }
done
cp="$cp:$(cat "$tmp/cp")"
load_before="$(cut -d" " -f1-3 /proc/loadavg)"
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.vpccni.policy.agent.PolicyTableBench \
  "$PODS" "$POLICIES" "$PEERS" "$RUNS" "$SECONDS_EACH" > "$tmp/out.md"

section="$tmp/section.md"
{
  echo "## Network policy: table build and apply, change to enforcement, connection setup"
  echo
  echo "Command: \`bench/network-policy.sh $PODS $POLICIES $PEERS $RUNS $SECONDS_EACH\` (as root, after"
  echo "\`mvn -pl network-policy -am test-compile\`). $(date -u +%F). A node in namespaces (NodeTestbed: a host"
  echo "namespace routing between pod namespaces, as ipamd's plugin wires them), nft $(nft --version | awk '{print $2}')"
  echo "in the host namespace. The cluster is seeded (the same in every run): each policy selects 10 random local pods"
  echo "(isolated both ways), lets in PEERS/POLICIES peer /32s on TCP 80, TCP 8080-8090 and UDP 53 and 10.3.0.0/16"
  echo "except one /24 on TCP 443, and lets out DNS anywhere except 169.254.169.254 and everything to 10.0.0.0/8."
  echo "Medians of $RUNS runs."
  echo
  cat "$tmp/out.md"
  echo
  echo "Machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/^Mem:/ {print $2}') MiB RAM;"
  echo "kernel $(uname -r); load average before / after: $load_before / $(cut -d" " -f1-3 /proc/loadavg)"
  echo "(shared with other builds and tests)."
} > "$section"
"$ROOT/bench/write-section.sh" "Network policy: table build and apply" "$section"
cat "$section"
