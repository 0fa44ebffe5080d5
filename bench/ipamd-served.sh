#!/usr/bin/env bash
# ipamd's memory with its plugin server wiring 250 pods: one node of VPC in a box against the EC2 emulator, the
# daemon with the image's JVM flags (deploy/image/ipamd.jvm-flags, which VPC in a box reads itself). Not part of the
# tests; prints markdown.
#   bench/ipamd-served.sh [PODS=250]     (root; after `mvn install -DskipTests`; starts LocalStack unless running)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-250}"
source "$ROOT/bench/it-classpath.sh"
cd "$ROOT/test-localstack" # VPC in a box finds the packaged plugin above its working directory
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.vpccni.it.ipamd.ServedPodsMemoryBench "$PODS"
