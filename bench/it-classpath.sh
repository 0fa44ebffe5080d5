# Sourced by the benchmarks that run test-localstack's classes against the EC2 emulator: checks the build, starts
# LocalStack unless it runs, and sets $JDK, $IT, $tmp (removed on exit) and $cp, the class path of a copy of the
# classes (other builds in this tree may clean target/ while a benchmark runs). Expects $ROOT.
source "$ROOT/scripts/jdk.sh"
require_jdk25
JDK="$JAVA_HOME"
IT="$ROOT/test-localstack"
[[ -d "$IT/target/test-classes/io/vpccni/it/ipamd" ]] || { echo "build first: mvn install -DskipTests"; exit 1; }
"$IT/emulator/localstack.sh" start >&2
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$ROOT" && JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
  mvn -B -q -o -pl test-localstack dependency:build-classpath -Dmdep.outputFile="$tmp/cp" -Dmdep.includeScope=test >&2)
cp -a "$IT/target/test-classes" "$tmp/test-classes"; cp -a "$IT/target/classes" "$tmp/classes"
cp="$tmp/test-classes:$tmp/classes:$(cat "$tmp/cp")"
