# Sourced by the ipamd benchmarks after it-classpath.sh when BENCH_IPAMD_JARS names a directory: the daemon then runs
# from jars there (ipamd's runtime class path, as the image has it: this tree's modules jarred from target/classes,
# the libraries from ~/.m2), not from the benchmark's class path of directories. An AOT cache needs that: the JVM
# takes no classes from directories into one, and refuses a cache whose jars moved or changed. Made once; a later
# run with the same directory reuses it as it is (so a cache trained on it still applies): remove it to take a new
# build. Sets $ipamd_cp_property, the -D that gives the daemon this class path (IpamdProcess.CLASS_PATH_PROPERTY).
ipamd_cp_property=""
if [[ -n "${BENCH_IPAMD_JARS:-}" ]]; then
  if [[ ! -f "$BENCH_IPAMD_JARS/classpath" ]]; then
    mkdir -p "$BENCH_IPAMD_JARS/lib"
    (cd "$ROOT" && JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
      mvn -B -q -o -pl ipamd dependency:build-classpath -Dmdep.outputFile="$tmp/ipamd-cp" -Dmdep.includeScope=runtime >&2)
    jars=()
    module_jar() { # MODULE: this tree's target/classes of MODULE as a jar in the directory
      [[ -d "$ROOT/$1/target/classes" ]] || { echo "build first: $1/target/classes is missing"; exit 1; }
      "$JDK/bin/jar" --create --file "$BENCH_IPAMD_JARS/lib/$1.jar" -C "$ROOT/$1/target/classes" .
      jars+=("$BENCH_IPAMD_JARS/lib/$1.jar")
    }
    module_jar ipamd
    for entry in $(tr ':' ' ' < "$tmp/ipamd-cp"); do
      if [[ "$entry" =~ /io/vpccni/([a-z-]+)/[^/]+/[a-z-]+-[^/]*-SNAPSHOT\.jar$ ]]; then
        module_jar "${BASH_REMATCH[1]}"
      else
        cp -p "$entry" "$BENCH_IPAMD_JARS/lib/"; jars+=("$BENCH_IPAMD_JARS/lib/${entry##*/}")
      fi
    done
    (IFS=:; echo "${jars[*]}") > "$BENCH_IPAMD_JARS/classpath"
    echo "[bench] ipamd's class path: $(wc -w <<<"${jars[*]}") jars in $BENCH_IPAMD_JARS/lib" >&2
  else
    echo "[bench] ipamd's class path: the jars already in $BENCH_IPAMD_JARS (remove it to take a new build)" >&2
  fi
  ipamd_cp_property="-Dvpccni.ipamd.classPath=$(cat "$BENCH_IPAMD_JARS/classpath")"
fi
