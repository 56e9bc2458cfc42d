# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by build.sh
# Root file system stages of the firmware build (sourced by build.sh).
# Needs: FW_DIR, WORK, SUITE, MIRROR, SECURITY_MIRROR, TARGET, NO_CACHE from build.sh.

# Debian components: non-free-firmware holds the Raspberry Pi boot firmware and Wi-Fi blobs.
COMPONENTS=main,non-free-firmware

# A short digest of the given strings and files: the cache key of a stage.
# Files count by content only, so two checkouts in different places share
# the cached stages.
stage_key() {
  local item
  for item in "$@"; do
    if [ -f "$item" ]; then sha256sum <"$item"; else printf '%s\n' "$item"; fi
  done | sha256sum | cut -c1-16
}

# Stage 1: a minimal Debian arm64 tree from the mirror (debootstrap runs its
# second stage itself through qemu-user binfmt). Cached as a tarball.
stage_base() {
  local key tarball dir
  key=$(stage_key "base-v1" "$SUITE" "$MIRROR" "$COMPONENTS")
  tarball="$WORK/cache/base-$SUITE-$key.tar"
  BASE_TAR=$tarball
  if [ -f "$tarball" ] && [ "$NO_CACHE" = 0 ]; then log "base: cached ($tarball)"; return; fi
  dir="$WORK/cache/base-tmp"
  rm -rf "$dir"
  log "base: debootstrap $SUITE arm64 from $MIRROR"
  debootstrap --arch=arm64 --variant=minbase --components="$COMPONENTS" \
    --include=ca-certificates "$SUITE" "$dir" "$MIRROR" >"$WORK/logs/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/logs/debootstrap.log" >&2; die "debootstrap failed (log: $WORK/logs/debootstrap.log)"; }
  tar --numeric-owner --xattrs -C "$dir" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$dir"
}

# Writes apt configuration into the root: sources (with security updates),
# no recommends, and dpkg filters that keep manuals and translations out
# (copyright files stay: they are the licences we ship).
configure_apt() {
  local root=$1
  cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE ${COMPONENTS//,/ }
deb $MIRROR $SUITE-updates ${COMPONENTS//,/ }
deb $SECURITY_MIRROR $SUITE-security ${COMPONENTS//,/ }
EOF
  cat >"$root/etc/apt/apt.conf.d/90letterbox" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/90letterbox-nodoc" <<'EOF'
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
EOF
}

# Writes the initramfs policy before the kernel is installed. QEMU: an explicit
# module list (virtio disk + ext4), because Debian's default MODULES=most costs
# ~20 minutes under emulation. Raspberry Pi: MODULES=most, because the SD host
# drivers differ per board and depend on firmware clock drivers found at run
# time; a list we cannot test on every board could leave a card unbootable.
configure_initramfs() {
  local root=$1
  mkdir -p "$root/etc/initramfs-tools/conf.d"
  if [ "$TARGET" = qemu ]; then
    printf 'MODULES=list\nCOMPRESS=zstd\n' >"$root/etc/initramfs-tools/conf.d/letterbox.conf"
    printf '%s\n' virtio_pci virtio_blk ext4 >"$root/etc/initramfs-tools/modules"
  else
    printf 'MODULES=most\nCOMPRESS=zstd\n' >"$root/etc/initramfs-tools/conf.d/letterbox.conf"
  fi
}

# Stage 2: the target's packages and its initramfs. Cached per target as a tarball.
stage_system() {
  local key tarball root pkgs kver
  key=$(stage_key "system-v1" "$BASE_TAR" "$TARGET" "$FW_DIR/packages/common.list" \
    "$FW_DIR/packages/$TARGET.list" "$FW_DIR/lib/rootfs.sh")
  tarball="$WORK/cache/system-$TARGET-$key.tar"
  SYSTEM_TAR=$tarball
  if [ -f "$tarball" ] && [ "$NO_CACHE" = 0 ]; then log "system: cached ($tarball)"; return; fi
  root="$WORK/$TARGET/system-tmp"
  rm -rf "$root"; mkdir -p "$root"
  tar --numeric-owner --xattrs -C "$root" -xf "$BASE_TAR"
  configure_apt "$root"
  configure_initramfs "$root"
  # No daemon may start inside the build chroot.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
  mkdir -p "$WORK/cache/apt-archives/partial" "$root/var/cache/apt/archives"
  CHROOT=$root
  chroot_mount "$root"
  mount --bind "$WORK/cache/apt-archives" "$root/var/cache/apt/archives"
  pkgs="$(read_list "$FW_DIR/packages/common.list") $(read_list "$FW_DIR/packages/$TARGET.list")"
  log "system: apt-get install ($TARGET): $pkgs"
  in_root "$root" apt-get update -q >"$WORK/logs/apt-$TARGET.log" 2>&1 || die "apt-get update failed (log: $WORK/logs/apt-$TARGET.log)"
  # Every package that ships an initramfs hook would rebuild the initramfs
  # (each run costs minutes under emulation): divert update-initramfs while
  # installing, then build it exactly once below.
  in_root "$root" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs
  ln -sf /bin/true "$root/usr/sbin/update-initramfs"
  # shellcheck disable=SC2086 # the package list is meant to split into words
  in_root "$root" apt-get install -y -q $pkgs >>"$WORK/logs/apt-$TARGET.log" 2>&1 \
    || { tail -30 "$WORK/logs/apt-$TARGET.log" >&2; die "apt-get install failed (log: $WORK/logs/apt-$TARGET.log)"; }
  in_root "$root" apt-get upgrade -y -q >>"$WORK/logs/apt-$TARGET.log" 2>&1 || die "apt-get upgrade failed"
  rm -f "$root/usr/sbin/update-initramfs"
  in_root "$root" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
  kver=$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)
  [ -n "$kver" ] || die "no kernel installed"
  log "system: initramfs for $kver ($TARGET)"
  in_root "$root" update-initramfs -c -k "$kver" >>"$WORK/logs/apt-$TARGET.log" 2>&1 || die "update-initramfs failed"
  if [ "$TARGET" = rpi ]; then
    # raspi-firmware's kernel hook copies kernel, initrd and DTBs into
    # /boot/firmware; run it now that the initramfs exists.
    if [ -x "$root/etc/initramfs/post-update.d/z50-raspi-firmware" ]; then
      in_root "$root" /etc/initramfs/post-update.d/z50-raspi-firmware "$kver" "/boot/initrd.img-$kver" \
        >>"$WORK/logs/apt-$TARGET.log" 2>&1 || log "warning: raspi-firmware hook failed; copying files by hand"
    fi
  fi
  umount "$root/var/cache/apt/archives"
  chroot_unmount "$root"
  CHROOT=
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
  tar --numeric-owner --xattrs -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
}
