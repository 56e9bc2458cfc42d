#!/bin/bash
# Cheap arm64 check for every CI run (about a minute, no image build, no root):
# takes Node.js from the same Debian release and architecture as the image
# (trixie arm64 'nodejs' and its library dependencies, downloaded with apt
# into a private directory, never installed on the host), then runs the
# checkout's compiled Letterbox under qemu-aarch64 user emulation:
#   - node --version (the runtime the image ships)
#   - letterbox --version
#   - letterbox start on 127.0.0.1 ephemeral ports in a temp data dir: waits
#     for "letterbox ready" (store opened through classic-level's linux-arm64
#     prebuild, TLS keys made), reads the SMTP banner, stops it with SIGTERM.
# Needs: qemu-user-static, apt, python3; `npx tsc -p tsconfig.json` done.
# Usage: firmware/test/smoke-arm64.sh [--cache DIR]
set -euo pipefail

FW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$FW_DIR/.." && pwd)
# shellcheck source=../lib/common.sh
. "$FW_DIR/lib/common.sh"

SUITE=trixie
MIRROR=${LETTERBOX_FW_MIRROR:-http://deb.debian.org/debian}
CACHE=${LETTERBOX_FW_WORK:-/var/tmp/letterbox-firmware}/smoke-arm64
[ "${1:-}" = --cache ] && CACHE=$2

QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$QEMU" ] || die "qemu-aarch64 not found (apt-get install qemu-user-static)"
require_cmds apt-get:apt dpkg-deb:dpkg python3:python3
[ -f "$REPO/dist/src/cli/main.js" ] || die "compile the app first: npx tsc -p tsconfig.json"

SYSROOT=$CACHE/sysroot
APTDIR=$CACHE/apt
if [ ! -x "$SYSROOT/usr/bin/node" ]; then
  log "fetching Debian $SUITE arm64 nodejs into $SYSROOT"
  rm -rf "$SYSROOT" "$APTDIR"
  mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$SYSROOT"
  : >"$APTDIR/status"
  echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE main" >"$APTDIR/sources.list"
  echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${LETTERBOX_FW_SECURITY_MIRROR:-http://deb.debian.org/debian-security} $SUITE-security main" >>"$APTDIR/sources.list"
  # A private apt: own sources, lists, cache and an empty dpkg status, so it
  # resolves the whole dependency closure of nodejs for arm64 and downloads it.
  apt_private() {
    apt-get -q -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
      -o Dir::State="$APTDIR" -o Dir::State::Lists="$APTDIR/lists" -o Dir::State::status="$APTDIR/status" \
      -o Dir::Cache="$APTDIR" -o Dir::Cache::Archives="$APTDIR/archives" \
      -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o APT::Install-Recommends=false \
      -o Debug::NoLocking=true -o Acquire::Languages=none "$@"
  }
  apt_private update >"$CACHE/apt.log" 2>&1 || { cat "$CACHE/apt.log" >&2; die "apt-get update (arm64) failed"; }
  apt_private install -y --download-only nodejs >>"$CACHE/apt.log" 2>&1 || { tail -20 "$CACHE/apt.log" >&2; die "downloading nodejs (arm64) failed"; }
  for deb in "$APTDIR"/archives/*.deb; do dpkg-deb -x "$deb" "$SYSROOT"; done
  # Debian 13 is merged-/usr: the loader is looked up as /lib/ld-linux-aarch64.so.1.
  for d in lib bin sbin; do [ -e "$SYSROOT/$d" ] || ln -s "usr/$d" "$SYSROOT/$d"; done
fi

node_arm64() { "$QEMU" -L "$SYSROOT" "$SYSROOT/usr/bin/node" "$@"; }

version=$(node_arm64 -p 'process.version + " " + process.arch')
log "arm64 node: $version"
case $version in v20.*' arm64') ;; *) die "expected Node.js 20 on arm64, got: $version" ;; esac

lb_version=$(cd "$REPO" && node_arm64 bin/letterbox.js --version)
log "letterbox --version under arm64: $lb_version"
[ "$lb_version" = "letterbox $(node -p 'require(process.argv[1]).version' "$REPO/package.json")" ] || die "unexpected version output: $lb_version"

DATA=$(mktemp -d /tmp/letterbox-smoke-arm64.XXXXXX)
APP_PID=
cleanup() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then kill -9 "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT
cat >"$DATA/letterbox.json" <<'EOF'
{
  "hostname": "smoke.example",
  "listen": {
    "smtp": "127.0.0.1:0", "submission": false, "submissions": false,
    "imap": "127.0.0.1:0", "imaps": false, "pop3": false, "pop3s": false, "admin": false
  }
}
EOF
chmod 700 "$DATA"
log "starting letterbox under qemu-aarch64"
t0=$(now_s)
# Created here, not by the background job's redirection, so the first poll finds it.
: >"$DATA/stdout"
(cd "$REPO" && exec "$QEMU" -L "$SYSROOT" "$SYSROOT/usr/bin/node" --max-semi-space-size=1 --max-old-space-size=256 bin/letterbox.js start --data "$DATA") \
  >"$DATA/stdout" 2>"$DATA/stderr" &
APP_PID=$!
for _ in $(seq 1 300); do
  grep -q '^letterbox ready' "$DATA/stdout" && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$DATA/stdout" "$DATA/stderr" >&2; die "letterbox exited during start"; }
  sleep 1
done
grep -q '^letterbox ready' "$DATA/stdout" || { tail -20 "$DATA/stderr" >&2; die "letterbox not ready within 300 s"; }
log "ready after $(( $(now_s) - t0 )) s"
smtp=$(sed -n 's/^smtp listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DATA/stdout")
[ -n "$smtp" ] || die "no smtp listening line: $(cat "$DATA/stdout")"
banner=$(python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60); print(s.makefile("rb").readline().decode().strip())' "$smtp")
case $banner in 220*) log "SMTP banner: $banner" ;; *) die "unexpected SMTP banner: $banner" ;; esac
kill -TERM "$APP_PID"
for _ in $(seq 1 60); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
grep -q '^letterbox stopped' "$DATA/stdout" || die "letterbox did not stop cleanly: $(tail -3 "$DATA/stdout")"
wait "$APP_PID" || die "letterbox exited with status $?"
APP_PID=
log "arm64 smoke test passed ($version, $lb_version)"
