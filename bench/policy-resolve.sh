#!/bin/bash
# What one reconcile of the policy controller costs in resolution: every policy of a generated cluster resolved
# against its pods (io.vpccni.policy.resolve.ResolveBench), median of RUNS after a warm-up, one JVM per size.
# Usage: bench/policy-resolve.sh [RUNS]   (after `mvn -pl network-policy -am test-compile`; no root needed)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
require_jdk25
RUNS="${1:-21}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -o -pl network-policy dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="network-policy/target/classes:network-policy/target/test-classes:$(cat "$cp_file")"
echo "| pods | policies | median ms | min ms | PolicyEndpoints | peer rules |"
echo "|---|---|---|---|---|---|"
for size in "1000 100" "5000 100" "5000 500" "20000 100"; do
  set -- $size
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx512m -cp "$cp" io.vpccni.policy.resolve.ResolveBench "$1" "$2" "$RUNS"
done
