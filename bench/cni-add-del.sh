#!/usr/bin/env bash
# Whole-process CNI ADD and DEL: vpc-cni (the packaged plugin as the runtime runs it: the shim, answered by
# the plugin server of the node daemon), vpc-cni-jvm (the standalone plugin, what the shim runs when no
# daemon answers) and Debian's ptp + host-local, alternated in one run, inside namespaces of our own.
# Not part of the tests.
#   bench/cni-add-del.sh [N=30] [--flags]      (root; after `mvn -pl netlink,rpc,cni install`)
# --flags additionally measures the launcher's JVM flags one by one (startup figures).
# Writes the results to BENCHMARKS.md (replacing this benchmark's section).
# Daemon side: the test PoolBackedIpamd (cni/src/test) run standalone inside the node namespace on a temp
# socket, free addresses in its pool, with the plugin server beside it: the same RPC, socket and plugin
# server the real ipamd serves.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-30}"
FLAGS="${2:-}"
source "$ROOT/scripts/jdk.sh"
require_jdk25
JDK="$JAVA_HOME"
PLUGIN="$ROOT/cni/target/plugin"
CNI_DEBIAN=/usr/lib/cni
[[ $EUID -eq 0 ]] || { echo "run as root (namespaces)"; exit 1; }
[[ -x "$PLUGIN/bin/vpc-cni" ]] || { echo "build first: mvn -pl netlink,rpc,cni install"; exit 1; }

tmp="$(mktemp -d)"; sfx="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
node="vpccni-cni-bench-node-$sfx"; pod="vpccni-cni-bench-pod-$sfx"; ipamd=""
cleanup() { [[ -n "$ipamd" ]] && kill "$ipamd" 2>/dev/null; ip netns del "$pod" 2>/dev/null; ip netns del "$node" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$node"; ip netns add "$pod"; ip -n "$node" link set lo up
cp_deps="$(ls "$PLUGIN"/lib/*.jar | paste -sd:)"
# ipamd's own JVM flags (deploy/image/ipamd), so the memory figure below is comparable.
ip netns exec "$node" "$JDK/bin/java" -XX:+UseSerialGC -Xmx64m -XX:+ExitOnOutOfMemoryError -Dvpccni.native.library="$PLUGIN/lib/libvpccni-syscall.so" \
  -cp "$ROOT/cni/target/test-classes:$cp_deps" io.vpccni.cni.testing.PoolBackedIpamd "$tmp/ipamd.sock" 8 \
  --plugin-server >"$tmp/ipamd.log" 2>&1 &
ipamd=$!
for _ in $(seq 100); do [[ -S "$tmp/plugin.sock" ]] && break; sleep 0.1; done


cat > "$tmp/ours.json" <<J
{"cniVersion":"1.0.0","name":"bench","type":"vpc-cni","mtu":"9001","vethPrefix":"eni","pluginLogFile":"$tmp/plugin.log","pluginLogLevel":"INFO"}
J
cat > "$tmp/ptp.json" <<J
{"cniVersion":"1.0.0","name":"bench-ptp","type":"ptp","mtu":9001,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.1.0.0/24"}]],"dataDir":"$tmp/host-local"}}
J

# The inner loop runs inside the node namespace (as a runtime would), timing each process with
# bash's EPOCHREALTIME; one `ip netns exec` for the whole run, so its cost is in neither number.
cat > "$tmp/inner.sh" <<'INNER'
set -u
n=$1 tmp=$2 pod=$3 plugin=$4 cnidir=$5; shift 5
variants=("$@")
now() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }
# CPU time (user + system, ms) of the waited-for children so far, from `times` ("0m1.234s" fields):
# on a machine shared with other builds it says more than wall time, which waits for the CPU.
# Sets $cpu; `times` must run in this shell (not in $(...) or a pipe): a subshell's `times`
# would only count its own children.
child_cpu() {
  local -a t; local f m sec
  times > "$tmp/times"; t=($(<"$tmp/times"))
  cpu=0
  for f in "${t[2]}" "${t[3]}"; do m=${f%%m*}; sec=${f#*m}; sec=${sec%s}; sec=${sec/./}; cpu=$((cpu + 10#$m * 60000 + 10#$sec)); done
}
common="CNI_CONTAINERID=bench CNI_NETNS=/var/run/netns/$pod CNI_IFNAME=eth0 CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod CNI_PATH=$cnidir VPC_CNI_SOCKET=$tmp/ipamd.sock"
call() { # name command verb conf -> prints "name verb micros cpu-millis"
  local name=$1 cmd=$2 verb=$3 conf=$4 t0 t1 c0 c1
  child_cpu; c0=$cpu; t0=$(now)
  env $common CNI_COMMAND=$verb $cmd < "$conf" > "$tmp/out" 2>>"$tmp/err" || { echo "FAIL $name $verb: $(cat "$tmp/out")" >&2; exit 1; }
  t1=$(now); child_cpu; c1=$cpu
  echo "$name $verb $((t1 - t0)) $((c1 - c0))"
}
for ((i = 0; i < n; i++)); do
  for v in "${variants[@]}"; do
    name=${v%%=*}; cmd=${v#*=}
    if [[ $name == ptp ]]; then conf=$tmp/ptp.json; else conf=$tmp/ours.json; fi
    call "$name" "$cmd" ADD "$conf"
    call "$name" "$cmd" DEL "$conf"
  done
done
INNER

# jvm-floor: a class whose main prints one line, on the plugin's runtime with the launcher's flags and an AOT
# cache of its own: what any Java plugin pays before doing anything.
mkdir -p "$tmp/floor"
printf 'public class Floor { public static void main(String[] a) { System.out.println("{}"); } }\n' > "$tmp/floor/Floor.java"
"$JDK/bin/javac" -d "$tmp/floor/classes" "$tmp/floor/Floor.java"
"$JDK/bin/jar" cf "$tmp/floor/floor.jar" -C "$tmp/floor/classes" Floor.class # the AOT cache takes jars only
floor_flags="$(sed -n 's/.*-Xlog:cds=off \(.*\) "-Dvpccni.*/\1/p' "$PLUGIN/bin/vpc-cni-jvm")" # the launcher's JVM flags
"$PLUGIN/runtime/bin/java" -XX:AOTCacheOutput="$tmp/floor/floor.aot" $floor_flags -cp "$tmp/floor/floor.jar" Floor >/dev/null 2>&1
variants=("vpc-cni=$PLUGIN/bin/vpc-cni" "vpc-cni-jvm=$PLUGIN/bin/vpc-cni-jvm" "ptp=$CNI_DEBIAN/ptp"
  "jvm-floor=$PLUGIN/runtime/bin/java -XX:AOTCache=$tmp/floor/floor.aot -Xlog:aot=off $floor_flags -cp $tmp/floor/floor.jar Floor")
if [[ "$FLAGS" == --flags ]]; then
  h="$PLUGIN"; cp="$(grep -o -- '-cp "[^"]*"' "$PLUGIN/bin/vpc-cni-jvm" | sed "s|\\\$h|$h|g; s|-cp ||; s|\"||g")"
  base="$h/runtime/bin/java --enable-native-access=ALL-UNNAMED -Dvpccni.native.library=$h/lib/libvpccni-syscall.so -cp $cp"
  main=io.vpccni.cni.plugin.Main
  variants+=(
    "jdk-plain=$JDK/bin/java --enable-native-access=ALL-UNNAMED -cp $cp $main"
    "jlink-plain=$base $main"
    "jlink+Xshare:off=$base -Xshare:off $main"
    "jlink+aot=$base -XX:AOTCache=$h/vpc-cni.aot $main"
    "+C1only=$base -XX:AOTCache=$h/vpc-cni.aot -XX:TieredStopAtLevel=1 $main"
    "+serialgc=$base -XX:AOTCache=$h/vpc-cni.aot -XX:TieredStopAtLevel=1 -XX:+UseSerialGC $main"
    "+heap/noperf=$base -XX:AOTCache=$h/vpc-cni.aot -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms8m -Xmx64m -XX:-UsePerfData -Xss512k $main"
    "+cts30=$base -XX:AOTCache=$h/vpc-cni.aot -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms8m -Xmx64m -XX:-UsePerfData -Xss512k -XX:CompileThresholdScaling=30 $main"
    "+Xint(launcher)=$base -XX:AOTCache=$h/vpc-cni.aot -XX:+UseSerialGC -Xms8m -Xmx64m -XX:-UsePerfData -Xss512k -Xint $main"
  )
fi
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$ipamd/status"; }
rss_idle="$(rss_mib)"
# A warm daemon, as on a node that has been up for a while (its first invocations run interpreted): 30 pods first.
ip netns exec "$node" bash "$tmp/inner.sh" 30 "$tmp" "$pod" "$PLUGIN/bin:$CNI_DEBIAN" "$CNI_DEBIAN" "vpc-cni=$PLUGIN/bin/vpc-cni" >/dev/null
daemon_cpu() { awk '{print ($14 + $15) * 10}' "/proc/$ipamd/stat"; } # ms (USER_HZ 100): ip netns exec execs java
cpu_before="$(daemon_cpu)"
load_before="$(cut -d" " -f1-3 /proc/loadavg)"
ip netns exec "$node" bash "$tmp/inner.sh" "$N" "$tmp" "$pod" "$PLUGIN/bin:$CNI_DEBIAN" "$CNI_DEBIAN" "${variants[@]}" > "$tmp/samples"
daemon_ms=$(( $(daemon_cpu) - cpu_before ))
rss_after="$(rss_mib)"

stats() { # name verb [column=3: wall micros | 4: cpu millis] -> "median min max" in ms
  awk -v n="$1" -v v="$2" -v c="${3:-3}" '$1==n && $2==v {print (c == 3 ? $c / 1000 : $c)}' "$tmp/samples" | sort -n | awk '
    {a[NR]=$1} END {m = NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.1f %.1f %.1f", m, a[1], a[NR]}'
}
table() {
  echo "| variant | ADD median | ADD min | ADD max | DEL median | DEL min | DEL max | ADD CPU median | DEL CPU median |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for v in "${variants[@]}"; do
    name=${v%%=*}; read -r am an ax <<<"$(stats "$name" ADD)"; read -r dm dn dx <<<"$(stats "$name" DEL)"
    read -r ac _ <<<"$(stats "$name" ADD 4)"; read -r dc _ <<<"$(stats "$name" DEL 4)"
    echo "| $name | $am | $an | $ax | $dm | $dn | $dx | $ac | $dc |"
  done
}
ratio() { # verb [column] [variant=vpc-cni]: median of the variant / median of ptp
  awk -v a="$(stats "${3:-vpc-cni}" "$1" "${2:-3}" | cut -d' ' -f1)" -v b="$(stats ptp "$1" "${2:-3}" | cut -d' ' -f1)" \
    'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'
}
section="$tmp/section.md"
{
  echo "## CNI ADD/DEL, whole process: vpc-cni vs ptp + host-local"
  echo
  echo "Command: \`bench/cni-add-del.sh $N $FLAGS\` (as root, after \`mvn -pl netlink,rpc,cni install\`). $(date -u +%F)."
  echo "Each iteration runs ADD then DEL of one pod (veth, /32, routes; ours also the host rules), vpc-cni and"
  echo "ptp alternated, N=$N each, timed per process inside a scratch node namespace (times in ms; wall clock,"
  echo "and CPU = user + system time of the process tree, from bash \`times\` in 10 ms clock ticks)."
  echo "Daemon side: the test PoolBackedIpamd (a real IpamServer on a Unix socket, free IPs in its pool) with the plugin"
  echo "server beside it, run standalone in the node namespace and warmed by 30 ADD/DEL pairs before the run. vpc-cni is what the runtime"
  echo "runs (the shim, answered by the daemon's plugin server); vpc-cni-jvm is the standalone Java plugin, which the shim"
  echo "runs when no daemon answers."
  echo
  table
  echo
  echo "Ratio of medians vpc-cni / ptp: ADD $(ratio ADD)x, DEL $(ratio DEL)x (target: at most 3x);"
  echo "of CPU time (the shim's own; the daemon's share is in no process tree of the run): ADD $(ratio ADD 4)x, DEL $(ratio DEL 4)x."
  echo "The daemon's CPU over the run: $daemon_ms ms, at most $(awk -v t="$daemon_ms" -v n="$N" 'BEGIN {printf "%.1f", t / (2 * n)}') ms per vpc-cni ADD or DEL (it also answered the IPAM"
  echo "requests of vpc-cni-jvm's $N ADDs and DELs); add it to vpc-cni's CPU column for the node's whole cost."
  echo "The daemon's resident memory (the stand-in with ipamd's -XX:+UseSerialGC -Xmx64m): $rss_idle MiB before its first"
  echo "plugin invocation, $rss_after MiB after $((2 * N + 60)) of them (mostly heap pages touched for the first time; the"
  echo "analysis below breaks it down)."
  echo "The standalone plugin (vpc-cni-jvm) / ptp: ADD $(ratio ADD 3 vpc-cni-jvm)x, DEL $(ratio DEL 3 vpc-cni-jvm)x."
  echo "The JVM alone (jvm-floor: start, print, exit) / ptp: ADD $(ratio ADD 3 jvm-floor)x, DEL $(ratio DEL 3 jvm-floor)x."
  echo
  echo "Machine: $(nproc) CPUs; kernel $(uname -r); load average before/after the run: $load_before / $(cut -d" " -f1-3 /proc/loadavg)"
  echo "(the machine is shared with other builds: a high load inflates the JVM's CPU-bound startup more than Go's)."
  echo '```'
  lscpu | head -n 15
  echo '```'
} > "$section"
cat "$section"
bm="$ROOT/BENCHMARKS.md"
[[ -f "$bm" ]] || printf '# Benchmarks\n\n' > "$bm"
# Replace this benchmark's section (up to the next "## ") or append it.
awk -v f="$section" '
  /^## CNI ADD\/DEL, whole process/ {skip=1; while ((getline l < f) > 0) print l; done=1; next}
  skip && /^## / {skip=0}
  !skip {print}
  END {if (!done) {print ""; while ((getline l < f) > 0) print l}}' "$bm" > "$tmp/bm" && cp "$tmp/bm" "$bm"
