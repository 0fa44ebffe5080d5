#!/usr/bin/env bash
# Builds the plugin's self-contained install layout (docs/plugin-startup.md: why and how it starts fast):
#   target/plugin/bin/vpc-cni      what the runtime runs: a small static C program that hands the invocation
#                                  to the plugin server in the node daemon, or runs vpc-cni-jvm when none answers
#   target/plugin/bin/vpc-cni-jvm  the standalone plugin's launcher (POSIX sh, no external commands)
#   target/plugin/runtime/         jlink'd Java runtime with only the modules jdeps finds
#   target/plugin/lib/*.jar        the plugin and its class path (netlink, rpc)
#   target/plugin/lib/libvpccni-syscall.so   netlink's JNI syscall entry, taken out of its jar
#   target/plugin/vpc-cni.aot      AOT cache from a training run of the real verbs
# Run by Maven in the package phase (cni/pom.xml), or by hand after `mvn package`:
#   cni/package.sh cni/target [JDK_HOME]
# The training run exercises ADD/CHECK/DEL against the test PoolBackedIpamd inside scratch
# namespaces when run as root with test classes present; otherwise it trains the paths that
# need no kernel changes (VERSION, STATUS, errors). VPCCNI_AOT_TRAINING chooses instead of guessing:
#   auto    (default) the kernel paths when root with test classes and ip, else the basic ones
#   kernel  the kernel paths or nothing: fails, naming what is missing, when namespaces cannot be made or
#           /proc/sys is read-only (a container builder's default privileges)
#   basic   never the kernel paths: creates no namespace (the image build, deploy/image/build.sh)
# The install must keep the jars' mtimes (cp -p): the JVM refuses an AOT cache whose class path jars changed.
set -euo pipefail

target="$(cd "${1:?usage: package.sh <cni/target> [jdk]}" && pwd)"
if [[ -n "${2:-}" ]]; then
  jdk="$2"
else
  source "$(dirname "${BASH_SOURCE[0]}")/../scripts/jdk.sh"
  require_jdk25
  jdk="$JAVA_HOME"
fi
out="$target/plugin"
deps="$target/plugin-deps"
main=io.vpccni.cni.plugin.Main

say() { echo "[package.sh] $*" >&2; }

jar="$(ls "$target"/cni-*.jar | grep -v -e sources -e tests | head -1)"
[[ -f "$jar" ]] || { say "no plugin jar in $target; run mvn package first"; exit 1; }
[[ -d "$deps" ]] || { say "no $deps; run mvn package (copy-dependencies) first"; exit 1; }

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
tmp_so="$(mktemp -d)"
cp -p "$jar" "$out/lib/vpc-cni.jar"
cp -p "$deps"/*.jar "$out/lib/"
# netlink's JNI library as a file beside the jars: loaded from there, a run unpacks nothing.
(cd "$tmp_so" && "$jdk/bin/jar" xf "$(ls "$out"/lib/netlink-*.jar)" io/vpccni/netlink/sys)
cp "$tmp_so"/io/vpccni/netlink/sys/linux-*/libvpccni-syscall.so "$out/lib/"
rm -rf "$tmp_so"
cp_list="$(cd "$out/lib" && ls *.jar | sort | sed "s|^|$out/lib/|" | paste -sd: -)"
# vpc-cni.jar first: the class path order is fixed into the AOT cache.
cp_list="$out/lib/vpc-cni.jar:$(echo "$cp_list" | tr ':' '\n' | grep -v '/vpc-cni.jar$' | paste -sd: -)"

modules="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
    -cp "$cp_list" "$out/lib/vpc-cni.jar")"
say "jdeps: $modules"
"$jdk/bin/jlink" --add-modules "$modules" --output "$out/runtime" --strip-debug --no-man-pages \
    --no-header-files

# Flags measured in BENCHMARKS.md: the interpreter only (a run is over before JIT-compiled code
# would repay its compile: -Xint beat C1 with thresholds x30 by 6 to 8 % of an ADD once the
# plugin's own work had shrunk), the serial collector (no GC threads to start), a small fixed
# heap, no perf-data file in /tmp. jdk.includeInExceptions as a system property, with java.security's
# own value: InetAddress's class initialisation reads it, and given that way it does not initialise
# java.security.Security (parsing the whole security properties file) to find it.
native_flag='-Dvpccni.native.library=$h/lib/libvpccni-syscall.so'
include_in_exceptions="$(sed -n 's/^jdk\.includeInExceptions=//p' "$out/runtime/conf/security/java.security")"
jvm_flags="-Xint -XX:+UseSerialGC -Xms8m -Xmx64m -XX:-UsePerfData -Xss512k --enable-native-access=ALL-UNNAMED"
jvm_flags="$jvm_flags -Djdk.includeInExceptions=$include_in_exceptions"
rel_cp="$(echo "$cp_list" | sed "s|$out/|\$h/|g")"
cat > "$out/bin/vpc-cni-jvm" <<LAUNCHER
#!/bin/sh
# vpc-cni standalone CNI plugin launcher. The layout around it: ../runtime (Java), ../lib (jars),
# ../vpc-cni.aot (AOT cache). An installer that puts this file elsewhere sets VPC_CNI_HOME here.
h="\${VPC_CNI_HOME:-}"
if [ -z "\$h" ]; then
  case "\$0" in */*) h="\${0%/*}/.." ;; *) h=.. ;; esac
fi
exec "\$h/runtime/bin/java" -XX:AOTCache="\$h/vpc-cni.aot" -Xlog:aot=off -Xlog:cds=off $jvm_flags "$native_flag" \\
  -cp "$rel_cp" $main "\$@"
LAUNCHER
chmod 755 "$out/bin/vpc-cni-jvm"
# Static: it runs on the host, whatever its C library.
"${CC:-cc}" -O2 -static -Wall -Wextra -Werror -o "$out/bin/vpc-cni" "$(dirname "${BASH_SOURCE[0]}")/src/main/c/vpc_cni_shim.c"

# ---- AOT training
train_cp="$cp_list"
train_native="-Dvpccni.native.library=$out/lib/libvpccni-syscall.so"
tmp="$(mktemp -d)"
ipamd_pid=""
node_ns=""
pod_ns=""
cleanup() {
  [[ -n "$ipamd_pid" ]] && kill "$ipamd_pid" 2>/dev/null || true
  [[ -n "$pod_ns" ]] && ip netns del "$pod_ns" 2>/dev/null || true
  [[ -n "$node_ns" ]] && ip netns del "$node_ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
socket="$tmp/ipamd.sock"
runner=()
pod_path=""
training="${VPCCNI_AOT_TRAINING:-auto}"
case "$training" in
  auto | kernel | basic) ;;
  *) say "VPCCNI_AOT_TRAINING='$training' is not auto, kernel or basic"; exit 2 ;;
esac
kernel_training_missing() {
  [[ $EUID -eq 0 ]] || { echo "not root"; return; }
  [[ -d "$target/test-classes" ]] || { echo "no test classes in $target"; return; }
  command -v ip >/dev/null || { echo "no ip command"; return; }
}
kernel_missing="$(kernel_training_missing)"
if [[ "$training" == kernel && -n "$kernel_missing" ]]; then
  say "VPCCNI_AOT_TRAINING=kernel but $kernel_missing"; exit 1
fi
if [[ "$training" != basic && -z "$kernel_missing" ]]; then
  suffix="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
  node_ns="vpccni-cni-aotnode-$suffix"; pod_ns="vpccni-cni-aotpod-$suffix"
  # A builder without CAP_SYS_ADMIN or with a read-only /proc/sys (a container build's defaults) would train
  # half the paths and fail the rest quietly: stop instead, and say how to train without the kernel paths.
  if ! ip netns add "$node_ns" 2>"$tmp/netns.err"; then
    node_ns=""
    say "AOT training cannot create network namespaces here ($(tr '\n' ' ' <"$tmp/netns.err")); run with" \
      "privileges to create them and write /proc/sys, or set VPCCNI_AOT_TRAINING=basic to train without kernel paths"
    exit 1
  fi
  if [[ ! -w /proc/sys/net/ipv4/ip_forward ]]; then
    say "AOT training needs a writable /proc/sys (the plugin sets the host veth's sysctls); run with privileges" \
      "or set VPCCNI_AOT_TRAINING=basic to train without kernel paths"
    exit 1
  fi
  ip netns add "$pod_ns"
  ip -n "$node_ns" link set lo up
  "$jdk/bin/java" -cp "$target/test-classes:$cp_list" io.vpccni.cni.testing.PoolBackedIpamd "$socket" 4 \
      > "$tmp/ipamd.out" 2>&1 &
  ipamd_pid=$!
  for _ in $(seq 100); do [[ -S "$socket" ]] && break; sleep 0.1; done
  runner=(ip netns exec "$node_ns")
  pod_path="/var/run/netns/$pod_ns"
  say "training with ADD/CHECK/DEL in scratch namespaces $node_ns/$pod_ns"
else
  say "training without kernel paths (${kernel_missing:-VPCCNI_AOT_TRAINING=basic})"
fi
# LambdaForm holders. The AOT cache holds the pre-generated method-handle invokers that the
# runtime's lib/classlist names, but JDK 25's AOT training does not add the ones our own paths
# miss (24 in this build; FFM's downcall adapter was most of them before netlink moved to JNI), so every run
# would spin those LambdaForm classes again (BENCHMARKS.md). A first pass of the same training lists what it
# misses (TRACE_RESOLVE "(fail)"/"(generated)"); appended to the classlist, the AOT cache
# creation below generates them.
# The training feeds the plugin bad input on purpose, so its output has ERROR lines when all is well: it goes to
# $train_log, and to the terminal only when the training itself fails.
train_log="$target/aot-training.log"
: > "$train_log"
training_failed() {
  say "AOT training failed; its output ($train_log):"
  cat "$train_log" >&2
  exit 1
}
if ! "${runner[@]}" "$out/runtime/bin/java" -Djava.lang.invoke.MethodHandle.TRACE_RESOLVE=true $jvm_flags \
    "$train_native" -cp "$train_cp" io.vpccni.cni.plugin.AotTraining "$tmp/plugin.log" "$socket" $pod_path \
    2>>"$train_log" \
  | sed -n -E 's/^(\[(LF|SPECIES)_RESOLVE\] .*) \((fail|generated)\)$/@lambda-form-invoker \1/p' \
  | sort -u > "$tmp/invokers"; then
  training_failed
fi
cat "$tmp/invokers" >> "$out/runtime/lib/classlist"
say "$(wc -l < "$tmp/invokers") method-handle invokers added to the runtime's classlist"
if ! "${runner[@]}" "$out/runtime/bin/java" -XX:AOTCacheOutput="$out/vpc-cni.aot" -Xlog:aot=error \
    $jvm_flags "$train_native" -cp "$train_cp" io.vpccni.cni.plugin.AotTraining "$tmp/plugin.log" "$socket" $pod_path \
    >>"$train_log" 2>&1; then
  training_failed
fi
say "AOT training's output, expected errors included: $train_log"

# Relative class path at run time: make the launcher's $h resolve to the same jars.
say "built $out ($(du -sh "$out" | cut -f1)); plugin $out/bin/vpc-cni"
