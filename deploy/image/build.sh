#!/usr/bin/env bash
# Builds the node image (deploy/image/Dockerfile) offline, with a builder's default privileges, into an OCI archive
# that containerd imports (`ctr -n k8s.io images import ARCHIVE`):
#   deploy/image/build.sh [--tag TAG] [--out ARCHIVE]
#       default tag: the chart's image.tag; default archive: deploy/target/vpc-cni-java-TAG.oci.tar
#   deploy/image/build.sh retag FROM_TAG --tag TAG [--out ARCHIVE]
#       the image FROM_TAG already built, as a new image (a label of its own, so a new image id) tagged TAG: what a
#       DaemonSet roll needs, in seconds rather than a build's minutes
#   deploy/image/build.sh bases
#       only the two base images (what takes minutes on a new machine), made again only when their recipe changed
#   deploy/image/build.sh pause [--out ARCHIVE]
#       the sandbox ("pause") image kubelet's pods need: a static pause program compiled here, nothing else
#
# No registry: the two base images are made with mmdebstrap from Debian bookworm off the mirror apt already uses
# (read from /etc/apt), given the Dockerfile's FROM names, and kept in buildah's storage until what they are made of
# changes (a label holds a hash of the recipe). The build stage's base is Debian's gcc with this machine's JDK 25 and
# Maven; the Maven build runs offline (-o) from this machine's ~/.m2, mounted as an overlay so that nothing is
# written to it. `buildah build --pull=never --network=none`: no capability beyond buildah's defaults, no network
# namespace, no AOT training that would need one (cni/package.sh, VPCCNI_AOT_TRAINING=basic).
# Needs root (buildah's storage, mmdebstrap's chroot), buildah, mmdebstrap, runc, and a prior `mvn` run for ~/.m2.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/image"
REPOSITORY="$(sed -n 's/^  repository: *//p' "$ROOT/deploy/chart/values.yaml")"
TAG="$(sed -n 's/^  tag: *"\(.*\)"/\1/p' "$ROOT/deploy/chart/values.yaml")"
BUILD_BASE=docker.io/library/maven:3.9-eclipse-temurin-25
RUNTIME_BASE=docker.io/library/debian:bookworm-slim
PAUSE_IMAGE=registry.k8s.io/pause:3.10
RECIPE_LABEL=io.vpccni.base-recipe
# Documentation and locales are not needed in an image (what debian:bookworm-slim leaves out too); no /dev in the
# tarball (the runtime makes it).
MMDEBSTRAP_OPTIONS=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' --skip=output/dev)
export CONTAINERS_CONF="$HERE/containers.conf"

say() { echo "[image] $*" >&2; }

# shellcheck source=../../scripts/jdk.sh
source "$ROOT/scripts/jdk.sh"

# The Debian bookworm sources apt uses here, as one-line entries (deb822 stanzas and .list lines alike).
debian_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    awk '
      /^[[:space:]]*#/ { next }
      /^deb[[:space:]]/ { print; next }
      /^Types:/ { types = $0 } /^URIs:/ { uris = $2 } /^Suites:/ { $1 = ""; suites = $0 }
      /^Components:/ { $1 = ""; components = $0 }
      /^[[:space:]]*$/ { flush() } END { flush() }
      function flush(  n, s, i) {
        if (types ~ /deb( |$)/ && uris != "") {
          n = split(suites, s, " ")
          for (i = 1; i <= n; i++) print "deb " uris " " s[i] components
        }
        types = ""; uris = ""; suites = ""; components = ""
      }' "$file"
  done | awk '$3 ~ /^bookworm(-updates|-security)?$/' | sort -u
}

image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }
image_label() { buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$2\"}}" "$1" 2>/dev/null; }

# make_base NAME PACKAGES [JDK MAVEN_HOME]: a bookworm image of minbase plus PACKAGES (and the JDK at
# /opt/java/openjdk, Maven at /opt/maven).
make_base() {
  local name="$1" packages="$2" jdk="${3:-}" maven="${4:-}" sources recipe
  sources="$(debian_sources)"
  [[ -n "$sources" ]] || { say "no Debian bookworm source in /etc/apt to make $name from"; exit 1; }
  local hooks=(--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin')
  # The build stage's JDK 25 and Maven are this machine's (Debian bookworm has neither JDK 25 nor a Maven whose
  # package does not pull in a JDK 17): copied in whole, links followed (the JDK's cacerts and Maven's jars are
  # links to Debian's files).
  [[ -n "$jdk" ]] && hooks+=(--customize-hook="mkdir -p \"\$1/opt/java\" && cp -rL '$jdk' \"\$1/opt/java/openjdk\"")
  [[ -n "$maven" ]] && hooks+=(--customize-hook="cp -rL '$maven' \"\$1/opt/maven\"")
  local env=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  [[ -n "$jdk" ]] && env=(--env JAVA_HOME=/opt/java/openjdk --env MAVEN_HOME=/opt/maven
    --env PATH=/opt/java/openjdk/bin:/opt/maven/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  # What the base is made of; a base in buildah's storage with another recipe is made again.
  recipe="$(printf '%s\n' "$packages" "$sources" "${jdk:+$(cat "$jdk/release")}" "${maven:+$(ls -l "$maven/lib")}" \
    "${hooks[@]}" "${env[@]}" "${MMDEBSTRAP_OPTIONS[@]}" | sha256sum | cut -c1-16)"
  if image_exists "$name" && [[ "$(image_label "$name" "$RECIPE_LABEL")" == "$recipe" ]]; then
    say "base $name is current ($recipe)"
    return 0
  fi
  say "making base $name with mmdebstrap (bookworm, minbase + ${packages//,/ })"
  local work ctr started=$SECONDS
  work="$(mktemp -d /tmp/vpccni-base.XXXXXX)"
  mmdebstrap --variant=minbase --include="$packages" "${MMDEBSTRAP_OPTIONS[@]}" "${hooks[@]}" bookworm "$work/rootfs.tar" \
    - <<<"$sources"
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
  buildah config "${env[@]}" --label "$RECIPE_LABEL=$recipe" --cmd /bin/bash "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  rm -rf "$work"
  say "base $name made in $((SECONDS - started)) s"
}

archive() {
  local image="$1" out="$2"
  mkdir -p "$(dirname "$out")"
  rm -f "$out"
  # The archive's reference is the full name kubelet's short one normalises to.
  buildah push --quiet "$image" "oci-archive:$out:$image" >/dev/null
  say "$image -> $out ($(du -h "$out" | cut -f1))"
}

build_pause() {
  local out="$1" work ctr
  work="$(mktemp -d /tmp/vpccni-pause.XXXXXX)"
  # What the sandbox container does: hold the pod's namespaces, reap children, exit on SIGINT/SIGTERM.
  cat >"$work/pause.c" <<'C'
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction quit = {.sa_handler = stop}, child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &quit, NULL);
  sigaction(SIGTERM, &quit, NULL);
  sigaction(SIGCHLD, &child, NULL);
  for (;;) pause();
}
C
  "${CC:-cc}" -O2 -static -Wall -Wextra -Werror -o "$work/pause" "$work/pause.c"
  ctr="$(buildah from scratch)"
  buildah copy --quiet --chmod 0755 "$ctr" "$work/pause" /pause >/dev/null
  buildah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  buildah commit --quiet --rm "$ctr" "$PAUSE_IMAGE" >/dev/null
  rm -rf "$work"
  archive "$PAUSE_IMAGE" "$out"
}

retag_image() {
  local from="docker.io/library/$REPOSITORY:$1" image="docker.io/library/$REPOSITORY:$2" out="$3" ctr
  image_exists "$from" || { say "no image $from to retag: build it first"; exit 1; }
  ctr="$(buildah from --pull=never "$from")"
  buildah config --label "io.vpccni.retagged-from=$1" --label "io.vpccni.retagged-at=$(date +%s%N)" "$ctr"
  buildah commit --quiet --rm "$ctr" "$image" >/dev/null
  archive "$image" "$out"
}

make_bases() {
  require_jdk25
  make_base "$RUNTIME_BASE" iptables,nftables,iproute2,curl,procps,ca-certificates
  local maven_home
  maven_home="$(mvn -v 2>/dev/null | sed -n 's/^Maven home: //p')"
  [[ -d "$maven_home" ]] || { say "no Maven here to put in the build stage's base"; exit 1; }
  make_base "$BUILD_BASE" gcc,libc6-dev,iproute2,iptables "$JAVA_HOME" "$maven_home"
}
build_image() {
  local tag="$1" out="$2" started=$SECONDS
  [[ -d "$HOME/.m2/repository" ]] || { say "no $HOME/.m2/repository: run the Maven build once first"; exit 1; }
  make_bases
  local image="docker.io/library/$REPOSITORY:$tag" built=$SECONDS
  say "building $image (buildah, --network=none, Maven offline)"
  buildah build --pull=never --network=none -f "$HERE/Dockerfile" \
    --build-arg BUILD_BASE="$BUILD_BASE" --build-arg RUNTIME_BASE="$RUNTIME_BASE" --build-arg MAVEN_FLAGS=-o \
    --volume "$HOME/.m2:/root/.m2:O" -t "$image" "$ROOT" >&2
  say "built $image in $((SECONDS - built)) s ($(buildah images --format '{{.Size}}' "$image"))"
  archive "$image" "$out"
  say "done in $((SECONDS - started)) s"
}

[[ $EUID -eq 0 ]] || { say "run as root (buildah's storage and mmdebstrap's chroot)"; exit 1; }
mode=image
from_tag=""
[[ "${1:-}" == pause ]] && { mode=pause; shift; }
[[ "${1:-}" == bases ]] && { mode=bases; shift; }
[[ "${1:-}" == retag ]] && { mode=retag; from_tag="${2:?retag needs the tag of the image to retag}"; shift 2; }
out=""
while (($#)); do
  case "$1" in
    --tag) TAG="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) say "unknown option $1 (usage: build.sh [pause | bases | retag FROM_TAG] [--tag TAG] [--out ARCHIVE])"; exit 2 ;;
  esac
done
case "$mode" in
  pause) build_pause "${out:-$ROOT/deploy/target/pause.oci.tar}" ;;
  bases) make_bases ;;
  image) build_image "$TAG" "${out:-$ROOT/deploy/target/$REPOSITORY-$TAG.oci.tar}" ;;
  retag) retag_image "$from_tag" "$TAG" "${out:-$ROOT/deploy/target/$REPOSITORY-$TAG.oci.tar}" ;;
esac
