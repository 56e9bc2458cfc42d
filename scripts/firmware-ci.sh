#!/bin/bash
# Firmware part of CI, called by .ci/run after `npm ci && npm test` (npm test
# compiles the app and runs test/firmware/*, the image maths and unit checks).
# Runs as root on a fresh Debian machine.
#
#   always:  shellcheck on every firmware script; the app under qemu-aarch64
#            user emulation on Debian trixie's arm64 Node.js (~2 min)
#   gated:   the full boot test (build + three QEMU boots, ~20-30 min) when
#            firmware/ or package-lock.json changed in the last commit, when
#            the previous commit is unknown (shallow clone), or when
#            LETTERBOX_BOOT_TEST=1; LETTERBOX_BOOT_TEST=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

apt_install() { apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

apt_install shellcheck qemu-user-static fdisk python3 ca-certificates
firmware/test/shellcheck.sh
firmware/test/smoke-arm64.sh

run_boot=${LETTERBOX_BOOT_TEST:-}
if [ -z "$run_boot" ]; then
  if ! git rev-parse -q --verify HEAD~1 >/dev/null 2>&1; then
    run_boot=1
    echo "firmware-ci: previous commit unknown, running the boot test"
  elif ! git diff --quiet HEAD~1 HEAD -- firmware package-lock.json; then
    run_boot=1
    echo "firmware-ci: firmware/ or package-lock.json changed, running the boot test"
  else
    run_boot=0
  fi
fi
if [ "$run_boot" = 1 ]; then
  apt_install debootstrap qemu-user-static binfmt-support qemu-system-arm dosfstools mtools \
    e2fsprogs fdisk python3 iproute2
  timeout --signal=TERM --kill-after=60 30m firmware/test/boot-test.sh
else
  echo "firmware-ci: boot test skipped (no change under firmware/ or in package-lock.json; LETTERBOX_BOOT_TEST=1 forces it)"
fi
