# shellcheck shell=bash
# Helpers shared by the firmware build scripts (sourced, not executed).

# Prints a timestamped progress line on stderr.
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Prints an error and exits 1.
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Fails unless every named command is on PATH; names the Debian package to install.
require_cmds() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd ($pkg)")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing host tools: ${missing[*]} - apt-get install them"
}

# Makes sure foreign arm64 binaries run through qemu-user (binfmt_misc with the
# F flag, so they also run inside a chroot without copying the emulator in).
ensure_binfmt_arm64() {
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc"
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || die "qemu-aarch64 binfmt handler missing (apt-get install qemu-user-static binfmt-support)"
  grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "qemu-aarch64 binfmt handler lacks the F flag (use Debian's qemu-user-static)"
}

# Mounts the pseudo file systems a package maintainer script expects.
# Always pair with chroot_unmount (the build installs a trap for it).
chroot_mount() {
  local root=$1
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mountpoint -q "$root/sys" || mount -t sysfs sysfs "$root/sys"
  mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
  mountpoint -q "$root/dev/pts" || mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666
  mkdir -p "$root/run"
  mountpoint -q "$root/run" || mount -t tmpfs tmpfs "$root/run"
}

# Unmounts what chroot_mount mounted; safe to call twice or on a partial mount.
chroot_unmount() {
  local root=$1 m
  for m in run dev/pts dev sys proc; do
    if mountpoint -q "$root/$m" 2>/dev/null; then umount -l "$root/$m" || true; fi
  done
}

# Runs a command inside the target root with a clean, predictable environment.
in_root() {
  local root=$1; shift
  LC_ALL=C.UTF-8 LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" "$@"
}

# Reads a package list file: one name per line, '#' starts a comment.
read_list() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1" | tr -s ' \t\n' ' '; }

# Seconds since the epoch, for the timing report.
now_s() { date +%s; }
