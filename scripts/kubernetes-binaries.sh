#!/usr/bin/env bash
# Builds the Kubernetes binaries that "Kubernetes in the box" runs (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kubectl) from the Go module proxy, once, into $KUBERNETES_BIN (default
# /opt/kubernetes-v1.34.4/bin). A later run with all binaries present does nothing.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces every k8s.io staging module with a directory of its
# own tree, and replacements in a dependency are ignored. So a scratch module requires k8s.io/kubernetes and replaces
# each staging module it names with that module's published twin (v0.MINOR.PATCH), which is the same code.
# About 6 minutes and up to 2 GB of memory per compile on 2 cores the first time; seconds to relink from a warm cache.
set -euo pipefail

KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.34.4}"
KUBERNETES_BIN="${KUBERNETES_BIN:-/opt/kubernetes-$KUBERNETES_VERSION/bin}"
COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

say() { echo "[kubernetes-binaries] $*" >&2; }

missing=()
for command in "${COMMANDS[@]}"; do [[ -x "$KUBERNETES_BIN/$command" ]] || missing+=("$command"); done
((${#missing[@]})) || exit 0
command -v go >/dev/null || { say "Go is needed to build Kubernetes from its modules; install golang and retry"; exit 1; }

staging_version="v0.${KUBERNETES_VERSION#v1.}"
work="$(mktemp -d /tmp/kubernetes-binaries.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$work"

say "building ${missing[*]} $KUBERNETES_VERSION into $KUBERNETES_BIN (a few minutes once)"
started=$SECONDS
go mod init kubernetes-binaries >/dev/null 2>&1
kubernetes_mod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$kubernetes_mod" ]] || { say "could not download k8s.io/kubernetes@$KUBERNETES_VERSION's go.mod"; exit 1; }
# The staging modules k8s.io/kubernetes requires (at v0.0.0) and replaces with its own directories; the ones it only
# replaces (sample-cli-plugin, sample-controller) are not needed and not all of them are published.
mapfile -t staging < <(sed -n 's#^\s*\(k8s\.io/[^ ]*\) v0\.0\.0$#\1#p' "$kubernetes_mod" | sort -u)
((${#staging[@]})) || { say "no staging modules found in $kubernetes_mod"; exit 1; }
{
  echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
  for module in "${staging[@]}"; do echo "require $module $staging_version"; done
  for module in "${staging[@]}"; do echo "replace $module => $module $staging_version"; done
} >>go.mod

packages=()
for command in "${missing[@]}"; do packages+=("k8s.io/kubernetes/cmd/$command"); done
# The version the binaries report (kubelet's and the API server's skew checks, kubectl version) is stamped the way
# Kubernetes' own build does.
minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $package.gitVersion=$KUBERNETES_VERSION -X $package.gitMajor=1 -X $package.gitMinor=$minor"
  ldflags+=" -X $package.gitTreeState=clean -X $package.buildDate=1970-01-01T00:00:00Z"
done
# -mod=mod lets go resolve the rest of k8s.io/kubernetes' dependency graph into this scratch go.mod and go.sum.
mkdir -p "$work/bin"
CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" go build -trimpath -ldflags "$ldflags" -o "$work/bin/" "${packages[@]}"
mkdir -p "$KUBERNETES_BIN"
for command in "${missing[@]}"; do install -m 0755 "$work/bin/$command" "$KUBERNETES_BIN/$command"; done
say "built ${missing[*]} in $((SECONDS - started)) s"
