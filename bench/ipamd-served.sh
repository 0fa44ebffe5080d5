#!/usr/bin/env bash
# ipamd's memory with its plugin server wiring 250 pods: one node of VPC in a box against the EC2 emulator, the
# daemon with the image's JVM flags (deploy/image/ipamd.jvm-flags, which VPC in a box reads itself). Not part of the
# tests; prints markdown.
#   bench/ipamd-served.sh [PODS=250]     (root; after `mvn install -DskipTests`; starts LocalStack unless running)
#   IPAMD_EXTRA_FLAGS="-XX:..." bench/ipamd-served.sh ...   candidate flags added to the image's
#   BENCH_IPAMD_JARS=DIR IPAMD_EXTRA_FLAGS="-XX:AOTMode=record -XX:AOTConfiguration=DIR/ipamd.aotconf" \
#     bench/ipamd-served.sh ...
#       the daemon from jars in DIR (bench/ipamd-jars.sh), its start and ADDs the training run of an AOT cache; the
#       configuration is written when the daemon exits, then
#       java --enable-native-access=ALL-UNNAMED -XX:AOTMode=create -XX:AOTConfiguration=DIR/ipamd.aotconf \
#         -XX:AOTCache=DIR/ipamd.aot [the image's flags] -cp "$(cat DIR/classpath)"
#       makes the cache. Not -XX:AOTCacheOutput: its child JVM that makes the cache at exit is killed with the daemon
#       (SIGKILL 10 s after SIGTERM); not with Native Memory Tracking, which crashes JDK 25's recording JVM on jcmd.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-250}"
source "$ROOT/bench/it-classpath.sh"
source "$ROOT/bench/ipamd-jars.sh"
cd "$ROOT/test-localstack" # VPC in a box finds the packaged plugin above its working directory
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED ${IPAMD_EXTRA_FLAGS:+"-Dvpccni.ipamd.extraJvmFlags=$IPAMD_EXTRA_FLAGS"} \
  ${ipamd_cp_property:+"$ipamd_cp_property"} -cp "$cp" io.vpccni.it.ipamd.ServedPodsMemoryBench "$PODS"
