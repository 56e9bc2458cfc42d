#!/bin/bash
# Builds the Letterbox SD-card image. Run as root on Debian (12 or 13, x86-64
# or arm64):
#
#   sudo firmware/build.sh --target rpi    # Raspberry Pi 4 / Zero 2 W
#   sudo firmware/build.sh --target qemu   # QEMU virt machine (tests)
#
# Options:
#   --target rpi|qemu     board (required)
#   --test-hooks          add the test-only units (boot test); never ship such an image
#   --out FILE            image path (default firmware/out/letterbox-TARGET[-test].img)
#   --root-mib N          size of each root slot (default 1024)
#   --boot-mib N          boot partition size (default 256)
#   --data-mib N          initial data partition size, grown at first boot (default 128)
#   --mirror URL          Debian mirror (default $LETTERBOX_FW_MIRROR or http://deb.debian.org/debian)
#   --suite NAME          Debian release (default trixie = Debian 13)
#   --skip-app-build      use the existing dist/ instead of compiling
#   --no-cache            rebuild the cached Debian stages too
# Work files and caches go to $LETTERBOX_FW_WORK (default /var/tmp/letterbox-firmware).
# Host packages: see firmware/README.md ("Build host").
set -euo pipefail

FW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$FW_DIR/.." && pwd)
# shellcheck source=lib/common.sh
. "$FW_DIR/lib/common.sh"
# shellcheck source=lib/rootfs.sh
. "$FW_DIR/lib/rootfs.sh"
# shellcheck source=lib/app.sh
. "$FW_DIR/lib/app.sh"
# shellcheck source=lib/image.sh
. "$FW_DIR/lib/image.sh"

TARGET=
TEST_HOOKS=0
OUT_IMG=
ROOT_MIB=1024
BOOT_MIB=256
DATA_MIB=128
MIRROR=${LETTERBOX_FW_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${LETTERBOX_FW_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=trixie
SKIP_APP_BUILD=0
NO_CACHE=0
WORK=${LETTERBOX_FW_WORK:-/var/tmp/letterbox-firmware}
CHROOT=

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --target) TARGET=${2:-}; shift 2 ;;
    --test-hooks) TEST_HOOKS=1; shift ;;
    --out) OUT_IMG=${2:-}; shift 2 ;;
    --root-mib) ROOT_MIB=${2:-}; shift 2 ;;
    --boot-mib) BOOT_MIB=${2:-}; shift 2 ;;
    --data-mib) DATA_MIB=${2:-}; shift 2 ;;
    --mirror) MIRROR=${2:-}; shift 2 ;;
    --suite) SUITE=${2:-}; shift 2 ;;
    --skip-app-build) SKIP_APP_BUILD=1; shift ;;
    --no-cache) NO_CACHE=1; shift ;;
    -h|--help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done
case $TARGET in rpi|qemu) ;; *) echo "--target rpi|qemu is required" >&2; usage ;; esac
suffix=$TARGET; [ "$TEST_HOOKS" = 1 ] && suffix=$TARGET-test
OUT_IMG=${OUT_IMG:-$REPO/firmware/out/letterbox-$suffix.img}

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and file ownership in the image need it)"
require_cmds debootstrap:debootstrap sfdisk:fdisk mkfs.vfat:dosfstools mcopy:mtools mkfs.ext4:e2fsprogs \
  update-binfmts:binfmt-support node:nodejs npm:npm tar:tar
[ -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] || command -v qemu-aarch64-static >/dev/null \
  || die "missing qemu-user-static (apt-get install qemu-user-static binfmt-support)"
ensure_binfmt_arm64

mkdir -p "$WORK/cache" "$WORK/logs" "$WORK/$TARGET"
cleanup() { if [ -n "$CHROOT" ]; then umount "$CHROOT/var/cache/apt/archives" 2>/dev/null || true; chroot_unmount "$CHROOT"; fi; }
trap cleanup EXIT
DISK_ID=0x$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')

t0=$(now_s)
stage_app;        t_app=$(now_s)
stage_base;       t_base=$(now_s)
stage_system;     t_system=$(now_s)
stage_customize;  t_custom=$(now_s)
stage_bootfs
stage_datafs
stage_image;      t_image=$(now_s)

check_args=(); [ "$TEST_HOOKS" = 1 ] && check_args=(--test-image)
"$FW_DIR/test/image-check.sh" "$OUT_IMG" "${check_args[@]}" >"$WORK/logs/image-check-$suffix.log" 2>&1 \
  || { cat "$WORK/logs/image-check-$suffix.log" >&2; die "the image failed its static checks"; }
log "image-check: passed"
sha256sum "$OUT_IMG" | sed "s|  .*|  $(basename "$OUT_IMG")|" >"$OUT_IMG.sha256"
cat >"${OUT_IMG%.img}.build-info" <<EOF
target=$TARGET
test_hooks=$TEST_HOOKS
suite=$SUITE
mirror=$MIRROR
kernel=$KVER
node=$(cat "$WORK/$TARGET/node-version")
letterbox=$(node -p 'require(process.argv[1]).version' "$APP_DIR/package.json")
disk_id=$DISK_ID
image_bytes=$(stat -c %s "$OUT_IMG")
image_allocated_bytes=$(( $(stat -c %b "$OUT_IMG") * 512 ))
root_used_mib=$ROOT_USED_MIB
app_mib=$(du -sm "$APP_DIR" | cut -f1)
seconds_app=$((t_app - t0))
seconds_base=$((t_base - t_app))
seconds_system=$((t_system - t_base))
seconds_customize=$((t_custom - t_system))
seconds_image=$((t_image - t_custom))
seconds_total=$((t_image - t0))
EOF
log "image: $OUT_IMG ($(( $(stat -c %s "$OUT_IMG") / 1048576 )) MiB, root $ROOT_USED_MIB MiB used) in $((t_image - t0)) s"
cat "${OUT_IMG%.img}.build-info"
