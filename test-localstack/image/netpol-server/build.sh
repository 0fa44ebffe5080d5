#!/usr/bin/env bash
# The network-policy matrix's pod image, offline: netpol-server.c compiled static here, alone in an image from
# scratch, into an OCI archive containerd imports (as deploy/image/build.sh makes the pause image).
#   test-localstack/image/netpol-server/build.sh ARCHIVE
# Needs root (buildah's storage), buildah and gcc with a static libc (libc6-dev).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE=docker.io/library/vpccni-netpol-server:1
out="${1:?usage: build.sh ARCHIVE}"
[[ $EUID -eq 0 ]] || { echo "[netpol-server] run as root (buildah's storage)" >&2; exit 1; }
work="$(mktemp -d /tmp/vpccni-netpol-server.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"${CC:-cc}" -O2 -static -Wall -Wextra -Werror -o "$work/netpol-server" "$HERE/netpol-server.c"
ctr="$(buildah from scratch)"
buildah copy --quiet --chmod 0755 "$ctr" "$work/netpol-server" /netpol-server >/dev/null
# Ports 80 and 81 as an unprivileged user need CAP_NET_BIND_SERVICE only; the pod spec grants it.
buildah config --entrypoint '["/netpol-server"]' --cmd serve "$ctr"
buildah commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
mkdir -p "$(dirname "$out")"
rm -f "$out"
buildah push --quiet "$IMAGE" "oci-archive:$out:$IMAGE" >/dev/null
echo "[netpol-server] $IMAGE -> $out ($(du -h "$out" | cut -f1))" >&2
