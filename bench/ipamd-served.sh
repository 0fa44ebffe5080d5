#!/usr/bin/env bash
# ipamd's memory with its plugin server wiring 250 pods: one node of VPC in a box against the EC2 emulator, the
# daemon with the image's JVM flags (deploy/image/ipamd). Not part of the tests; prints markdown.
#   bench/ipamd-served.sh [PODS=250]     (root; after `mvn install -DskipTests`; starts LocalStack unless running)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-250}"
JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
IT="$ROOT/test-localstack"
[[ -d "$IT/target/test-classes/io/vpccni/it/ipamd" ]] || { echo "build first: mvn install -DskipTests"; exit 1; }
"$IT/emulator/localstack.sh" start >&2
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$ROOT" && JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
  mvn -B -q -o -pl test-localstack dependency:build-classpath -Dmdep.outputFile="$tmp/cp" -Dmdep.includeScope=test >&2)
cp -a "$IT/target/test-classes" "$tmp/test-classes"; cp -a "$IT/target/classes" "$tmp/classes"
flags="$(grep -o -- '-XX:[^\\]*' "$ROOT/deploy/image/ipamd" | head -1 | sed 's/ *$//')" # the image's heap and GC flags
cd "$ROOT/test-localstack" # VPC in a box finds the packaged plugin above its working directory
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED "-Dvpccni.ipamd.jvmFlags=${flags:--XX:+UseSerialGC -Xmx64m}" \
  -cp "$tmp/test-classes:$tmp/classes:$(cat "$tmp/cp")" io.vpccni.it.ipamd.ServedPodsMemoryBench "$PODS"
