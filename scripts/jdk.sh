# Sourced by the project's scripts (vpc-cni, cni/package.sh, bench/*.sh): the one way they find JDK 25.
#   find_jdk25      prints the first JDK 25 among $JAVA_HOME and /usr/lib/jvm/*25*; fails when there is none
#   require_jdk25   sets and exports JAVA_HOME to it, or says where it looked and exits 1
find_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-*; do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    if "$candidate/bin/java" -version 2>&1 | grep -q '"25'; then echo "$candidate"; return 0; fi
  done
  return 1
}

require_jdk25() {
  if ! JAVA_HOME="$(find_jdk25)"; then
    echo "JDK 25 not found (looked at \$JAVA_HOME and /usr/lib/jvm/*25*). Install a JDK 25 and set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME
}
