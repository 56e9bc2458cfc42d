#!/bin/bash
# Runs the whole test suite on the Node.js the firmware image ships (Debian
# trixie's nodejs, 20.19.x), on the build machine's architecture, in a
# throw-away trixie chroot with the same peers .ci/run installs. As root:
#
#   sudo scripts/test-on-image-node.sh [WORKDIR]    (default /var/tmp/letterbox-trixie)
#
# About 5 minutes here: debootstrap ~30 s, packages ~40 s, tests ~3 min.
# Run it after `npm ci && npm test` (it reuses node_modules and the built dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ROOT=${1:-/var/tmp/letterbox-trixie}
MIRROR=${LETTERBOX_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot)" >&2; exit 2; }
if [ ! -d node_modules ] || [ ! -d dist ]; then echo "run npm ci && npm test first" >&2; exit 2; fi

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  for m in proc sys dev; do umount -R "$ROOT/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
if [ ! -x "$ROOT/usr/bin/node" ]; then
  debootstrap --variant=minbase --include=nodejs,ca-certificates trixie "$ROOT" "$MIRROR" >/dev/null
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
chmod 1777 "$ROOT/tmp"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d" && chmod +x "$ROOT/usr/sbin/policy-rc.d"
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  swaks curl fetchmail isync python3 nsd openssl ca-certificates chromium fonts-dejavu-core pebble systemd \
  fdisk mtools dosfstools e2fsprogs openssh-client libnet-ssleay-perl libio-socket-ssl-perl \
  libauthen-sasl-perl libsasl2-modules git procps iproute2 >/dev/null
rm -rf "$ROOT/work/letterbox" && mkdir -p "$ROOT/work"
cp -a "$REPO" "$ROOT/work/letterbox"
echo "tests on $(chroot "$ROOT" node --version) (Debian trixie, $(uname -m))"
chroot "$ROOT" sh -c 'cd /work/letterbox && node node_modules/typescript/bin/tsc -p tsconfig.json && node scripts/run-tests.mjs' >"$ROOT/tmp/tests.log" 2>&1 \
  && status=0 || status=$?
grep -E '^# (tests|pass|fail)' "$ROOT/tmp/tests.log"
grep -E '^not ok' "$ROOT/tmp/tests.log" || true
echo "full log: $ROOT/tmp/tests.log"
exit "$status"
