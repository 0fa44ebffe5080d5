#!/usr/bin/env bash
# Where ipamd's memory goes, ready with no pod and with its plugin server wiring PODS pods: bench/ipamd-served.sh's
# run (one node of VPC in a box, the image's JVM flags from deploy/image/ipamd.jvm-flags) with Native Memory Tracking
# added to the flags, and jcmd's native memory summary, loaded classes per library, threads and class histogram at both
# moments. Not part of the tests; prints markdown; the raw jcmd outputs stay in OUT.
#   bench/ipamd-memory.sh [PODS=250] [OUT=/tmp/ipamd-memory]   (root; after building test-localstack and its modules)
#   IPAMD_EXTRA_FLAGS="-XX:..." bench/ipamd-memory.sh ...          the same with candidate flags added
#   BENCH_IPAMD_JARS=DIR bench/ipamd-memory.sh ...                 the daemon from jars in DIR (bench/ipamd-jars.sh),
#                                                                  as an AOT cache (-XX:AOTCache=...) needs
# The daemon runs this tree's modules (target/classes), not the snapshots in ~/.m2 that the class path resolves to.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODS="${1:-250}"
OUT="${2:-/tmp/ipamd-memory}"
source "$ROOT/bench/it-classpath.sh"
own=()
for entry in ${cp//:/ }; do
  if [[ "$entry" =~ /io/vpccni/([a-z-]+)/[^/]+/[a-z-]+-[^/]*-SNAPSHOT(-tests)?\.jar$ ]]; then
    dir="$ROOT/${BASH_REMATCH[1]}/target/$([[ -n "${BASH_REMATCH[2]}" ]] && echo test-classes || echo classes)"
    [[ -d "$dir" ]] || { echo "build first: $dir is missing"; exit 1; }
    copy="$tmp/${BASH_REMATCH[1]}${BASH_REMATCH[2]}"; cp -a "$dir" "$copy"; own+=("$copy")
  else
    own+=("$entry")
  fi
done
cp="$(IFS=:; echo "${own[*]}")"
source "$ROOT/bench/ipamd-jars.sh"
# The image's flags are deploy/image/ipamd.jvm-flags, which VPC in a box reads itself; IPAMD_EXTRA_FLAGS: a candidate
# flag measured against them, before it goes into that file.
rm -rf "$OUT"
cd "$ROOT/test-localstack" # VPC in a box finds the packaged plugin above its working directory
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED "-Dvpccni.ipamd.extraJvmFlags=${IPAMD_EXTRA_FLAGS:+$IPAMD_EXTRA_FLAGS }-XX:NativeMemoryTracking=summary" \
  ${ipamd_cp_property:+"$ipamd_cp_property"} \
  -cp "$cp" io.vpccni.it.ipamd.ServedPodsMemoryBench "$PODS" "$OUT"
