#!/usr/bin/env bash
# Runs LocalStack (EC2 only) on the host, without Docker, from a pinned virtualenv.
#   localstack.sh install   create the virtualenv if missing (pins: requirements-localstack.txt)
#   localstack.sh start     start on 127.0.0.1:4566 unless already healthy; waits until EC2 is up; prints
#                           "started" when this call started it (the caller may stop it), nothing when it ran
#   localstack.sh stop      stop the instance this script started
#   localstack.sh status    exit 0 when EC2 answers with the fidelity layer loaded
#   localstack.sh selftest  the fidelity layer's unit tests (test_vpccni_ec2_fidelity.py), in the virtualenv
# Why the full freeze with --no-deps: an unpinned install of localstack-core 4.13.1 pulls cbor2 6, pyOpenSSL 26
# and a Twisted without service_identity, none of which it can start with; this set is known to start.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${VPC_CNI_CACHE:-/var/cache/vpc-cni}"
REQS="$HERE/requirements-localstack.txt"
VENV="$CACHE/venv-localstack-$(sha256sum "$REQS" | cut -c1-12)"
RUN_DIR="${VPC_CNI_RUN_DIR:-/tmp/vpc-cni-localstack}"
ENDPOINT="http://127.0.0.1:4566"

log() { echo "[localstack] $*" >&2; }

healthy() {
  curl -fsS --max-time 2 "$ENDPOINT/_localstack/health" 2>/dev/null | grep -Eq '"ec2": *"(running|available)"'
}

# The start hook ran and succeeded: an emulator without the fidelity layer would let every test pass against an EC2
# that never refuses, so a failed hook stops the start.
fidelity_loaded() {
  local init
  init="$(curl -fsS --max-time 2 "$ENDPOINT/_localstack/init/START" 2>/dev/null)" || return 1
  if grep -q '"state": *"ERROR"' <<<"$init"; then
    log "the EC2 fidelity layer failed to load: $init"; grep -A30 'vpccni' "$RUN_DIR/localstack.log" >&2 || true
    stop; exit 1
  fi
  grep -q '"vpccni-ec2-fidelity.py".*"state": *"SUCCESSFUL"\|"state": *"SUCCESSFUL".*vpccni-ec2-fidelity' <<<"$init" \
    && curl -fsS --max-time 2 "$ENDPOINT/_vpccni/ec2/config" >/dev/null 2>&1
}

install() {
  if [[ -x "$VENV/bin/python" && -f "$VENV/.complete" ]]; then return 0; fi
  log "creating virtualenv $VENV (a minute or two, once)"
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -r "$REQS"
  touch "$VENV/.complete"
}

start() {
  if healthy; then log "already running at $ENDPOINT"; return 0; fi
  install
  mkdir -p "$RUN_DIR"
  rm -rf "$RUN_DIR/state"; mkdir -p "$RUN_DIR/state/etc/localstack/init/start.d"
  # The EC2 fidelity layer (vpccni_ec2_fidelity.py) is loaded into LocalStack's process by its start hook.
  cp "$HERE/init/start.d/"*.py "$RUN_DIR/state/etc/localstack/init/start.d/"
  log "starting at $ENDPOINT (log: $RUN_DIR/localstack.log)"
  # /.dockerenv exists on these machines: OVERRIDE_IN_DOCKER=0 and DNS_ADDRESS=0 keep LocalStack from
  # acting as if it owned a container (binding port 53, editing resolv.conf).
  ( cd "$RUN_DIR" && exec env OVERRIDE_IN_DOCKER=0 GATEWAY_LISTEN=127.0.0.1:4566 SERVICES=ec2 \
      EAGER_SERVICE_LOADING=1 DNS_ADDRESS=0 SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 \
      FILESYSTEM_ROOT="$RUN_DIR/state" VPCCNI_EMULATOR_DIR="$HERE" \
      VPCCNI_EC2_LATENCY="${VPCCNI_EC2_LATENCY:-off}" VPCCNI_EC2_THROTTLING="${VPCCNI_EC2_THROTTLING:-off}" \
      "$VENV/bin/python" -m localstack.runtime.main \
      >"$RUN_DIR/localstack.log" 2>&1 ) &
  echo $! > "$RUN_DIR/pid"
  for _ in $(seq 1 120); do
    if healthy && fidelity_loaded; then log "EC2 is up, with the fidelity layer"; echo started; return 0; fi
    if ! kill -0 "$(cat "$RUN_DIR/pid")" 2>/dev/null; then
      log "LocalStack exited during start; last lines of its log:"; tail -20 "$RUN_DIR/localstack.log" >&2; return 1
    fi
    sleep 1
  done
  log "EC2 did not become healthy in 120 s"; tail -20 "$RUN_DIR/localstack.log" >&2; return 1
}

stop() {
  [[ -f "$RUN_DIR/pid" ]] || return 0
  local pid; pid="$(cat "$RUN_DIR/pid")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/pid"
}

selftest() {
  install
  ( cd "$HERE" && "$VENV/bin/python" -m unittest -v test_vpccni_ec2_fidelity )
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) healthy && curl -fsS --max-time 2 "$ENDPOINT/_vpccni/ec2/config" >/dev/null 2>&1 ;;
  selftest) selftest ;;
  *) echo "usage: $0 install|start|stop|status|selftest" >&2; exit 2 ;;
esac
