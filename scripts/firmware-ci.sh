#!/bin/bash
# Firmware part of CI, called by .ci/run after `npm ci && npm test` (npm test
# compiles the app and runs test/firmware/*, the image maths and unit checks).
# Runs as root on a fresh Debian machine.
#
#   always:  shellcheck on every firmware script; the app under qemu-aarch64
#            user emulation on Debian trixie's arm64 Node.js (~2 min)
#   gated:   the full boot test (build + three QEMU boots, ~15-30 min) when
#            firmware/ or package-lock.json differ from the state the boot
#            test last passed on, as recorded in firmware/test/boot-tested
#            (boot-test.sh rewrites it after a pass; commit it with the
#            change). LETTERBOX_BOOT_TEST=1 forces the boot test, =0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

apt_install() { apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

apt_install shellcheck qemu-user-static fdisk python3 ca-certificates
firmware/test/shellcheck.sh
firmware/test/smoke-arm64.sh --cache "$(mktemp -d)"

run_boot=${LETTERBOX_BOOT_TEST:-}
if [ -z "$run_boot" ]; then
  now=$(firmware/test/boot-fingerprint.sh)
  tested=$(sed -n 's/^fingerprint //p' firmware/test/boot-tested 2>/dev/null || true)
  if [ "$now" = "$tested" ]; then
    run_boot=0
  else
    run_boot=1
    echo "firmware-ci: firmware/ or package-lock.json changed since the last passing boot test ($tested -> $now), running it"
  fi
fi
if [ "$run_boot" = 1 ]; then
  apt_install debootstrap qemu-user-static binfmt-support qemu-system-arm dosfstools mtools \
    e2fsprogs fdisk python3 iproute2
  timeout --signal=TERM --kill-after=60 30m firmware/test/boot-test.sh
else
  echo "firmware-ci: boot test skipped (firmware/ and package-lock.json are as of the last passing boot test, firmware/test/boot-tested; LETTERBOX_BOOT_TEST=1 forces it)"
fi
