# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by build.sh
# Customise and assemble stages (sourced by build.sh).
# Needs: FW_DIR, WORK, TARGET, TEST_HOOKS, SYSTEM_TAR, APP_DIR, OUT_IMG, ROOT_MIB,
# BOOT_MIB, DATA_MIB from build.sh.

# Stage 3: a fresh copy of the target system plus the overlay, the app and the
# appliance configuration (configure-root.sh inside the chroot).
stage_customize() {
  ROOTFS="$WORK/$TARGET/rootfs"
  rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
  tar --numeric-owner --xattrs -C "$ROOTFS" -xf "$SYSTEM_TAR"
  cp -r --no-preserve=ownership "$FW_DIR/overlay/." "$ROOTFS/"
  [ "$TEST_HOOKS" = 1 ] && cp -r --no-preserve=ownership "$FW_DIR/overlay-test/." "$ROOTFS/"
  mkdir -p "$ROOTFS/opt"
  rm -rf "$ROOTFS/opt/letterbox"
  cp -a "$APP_DIR" "$ROOTFS/opt/letterbox"
  write_fstab "$ROOTFS/etc/fstab"
  cp "$FW_DIR/lib/configure-root.sh" "$ROOTFS/tmp/configure-root.sh"
  CHROOT=$ROOTFS
  chroot_mount "$ROOTFS"
  log "customize: configuring the root ($TARGET, test hooks: $TEST_HOOKS)"
  in_root "$ROOTFS" /bin/bash /tmp/configure-root.sh "$TARGET" "$TEST_HOOKS" >"$WORK/logs/configure-$TARGET.log" 2>&1 \
    || { tail -30 "$WORK/logs/configure-$TARGET.log" >&2; die "configure-root.sh failed"; }
  in_root "$ROOTFS" node --version >"$WORK/$TARGET/node-version"
  chroot_unmount "$ROOTFS"
  CHROOT=
  rm -f "$ROOTFS/tmp/configure-root.sh"
  KVER=$(find "$ROOTFS/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)
}

# fstab: the root is mounted read-only from the kernel command line and is
# not listed, so the same fstab works from slot A or slot B.
write_fstab() {
  local id=${DISK_ID#0x}
  cat >"$1" <<EOF
# Letterbox appliance. The root (slot A or B) is mounted read-only by the
# kernel command line; everything that changes lives on /data or in RAM.
# <file system>              <mount point>       <type> <options>                                        <dump> <pass>
PARTUUID=$id-01              /boot/firmware      vfat   noatime,fmask=0077,dmask=0077,flush,errors=remount-ro 0 2
PARTUUID=$id-04              /data               ext4   noatime,commit=30,errors=remount-ro               0 2
/data/letterbox              /var/lib/letterbox  none   bind,x-systemd.requires-mounts-for=/data          0 0
/data/system/var-lib-systemd /var/lib/systemd    none   bind,x-systemd.requires-mounts-for=/data          0 0
tmpfs                        /tmp                tmpfs  mode=1777,size=64m,nosuid,nodev                   0 0
tmpfs                        /var/tmp            tmpfs  mode=1777,size=32m,nosuid,nodev                   0 0
tmpfs                        /var/log            tmpfs  mode=0755,size=16m,nosuid,nodev,noexec            0 0
EOF
}

# Kernel command line shared by both targets (console differs).
cmdline() {
  local console
  if [ "$TARGET" = qemu ]; then console='console=ttyAMA0'; else console='console=ttyS1,115200 console=tty1'; fi
  echo "root=PARTUUID=${DISK_ID#0x}-02 ro rootfstype=ext4 rootflags=noatime,commit=60 rootwait fsck.repair=yes panic=10 $console"
}

# The boot partition's files: kernel + initrd + cmdline (+ the Pi firmware,
# config.txt and device trees on rpi), the owner's settings file, a README.
stage_bootfs() {
  BOOTFS="$WORK/$TARGET/bootfs"
  rm -rf "$BOOTFS"; mkdir -p "$BOOTFS"
  if [ "$TARGET" = rpi ]; then
    # raspi-firmware's hook filled /boot/firmware in the root; take it over.
    cp -r --no-preserve=ownership "$ROOTFS/boot/firmware/." "$BOOTFS/" 2>/dev/null || true
    if [ ! -e "$BOOTFS/start4.elf" ]; then
      cp -r --no-preserve=ownership "$ROOTFS/usr/lib/raspi-firmware/." "$BOOTFS/"
      find "$ROOTFS/usr/lib/linux-image-$KVER/broadcom" -name 'bcm27*-rpi-*.dtb' -exec cp {} "$BOOTFS/" \;
    fi
    cp "$FW_DIR/boot/rpi-config.txt" "$BOOTFS/config.txt"
  fi
  cp "$ROOTFS/boot/vmlinuz-$KVER" "$BOOTFS/vmlinuz"
  cp "$ROOTFS/boot/initrd.img-$KVER" "$BOOTFS/initrd.img"
  rm -f "$BOOTFS"/vmlinuz-* "$BOOTFS"/initrd.img-*
  cmdline >"$BOOTFS/cmdline.txt"
  sed 's/$/\r/' "$FW_DIR/boot/letterbox.txt" >"$BOOTFS/letterbox.txt"
  sed 's/$/\r/' "$FW_DIR/boot/README.txt" >"$BOOTFS/README.txt"
  # Everything on the FAT partition lives there; the root keeps only the mount point.
  find "$ROOTFS/boot/firmware" -mindepth 1 -delete
}

# The data partition's initial contents: the app's directory and the system
# state that the root cannot hold (it is read-only).
stage_datafs() {
  local uid gid
  DATAFS="$WORK/$TARGET/datafs"
  rm -rf "$DATAFS"; mkdir -p "$DATAFS/system/ssh"
  uid=$(awk -F: '$1 == "letterbox" { print $3 }' "$ROOTFS/etc/passwd")
  gid=$(awk -F: '$1 == "letterbox" { print $4 }' "$ROOTFS/etc/passwd")
  [ -n "$uid" ] || die "no letterbox user in the root"
  install -d -o "$uid" -g "$gid" -m 0700 "$DATAFS/letterbox"
  chmod 700 "$DATAFS/system/ssh"
  cp -a "$ROOTFS/var/lib/systemd" "$DATAFS/system/var-lib-systemd"
}

# Stage 4: the disk image, without loop devices: partition table by sfdisk on
# the file, FAT built in a side file and copied in, ext4 file systems written
# at their offsets by mkfs.ext4 -d.
stage_image() {
  local layout root_used fat
  layout=$(node "$FW_DIR/lib/image-layout.mjs" shell --boot-mib "$BOOT_MIB" --root-mib "$ROOT_MIB" --data-mib "$DATA_MIB") \
    || die "bad partition sizes"
  eval "$layout"
  root_used=$(du -sm --apparent-size "$ROOTFS" | cut -f1)
  # ext4 needs room for metadata and the journal; keep 15% headroom.
  [ $((root_used * 115 / 100)) -le "$ROOTA_SIZE_MIB" ] \
    || die "root file system ($root_used MiB) does not fit a $ROOTA_SIZE_MIB MiB slot with 15% headroom: raise --root-mib"
  mkdir -p "$(dirname "$OUT_IMG")"
  rm -f "$OUT_IMG"
  truncate -s "$IMAGE_BYTES" "$OUT_IMG"
  node "$FW_DIR/lib/image-layout.mjs" sfdisk --boot-mib "$BOOT_MIB" --root-mib "$ROOT_MIB" --data-mib "$DATA_MIB" \
    --disk-id "$DISK_ID" | sfdisk --quiet "$OUT_IMG"
  fat="$WORK/$TARGET/boot.fat"
  rm -f "$fat"
  mkfs.vfat -C -F 32 -n "$BOOT_LABEL" -i "${DISK_ID#0x}" "$fat" $((BOOT_SIZE_BYTES / 1024)) >/dev/null
  mcopy -s -i "$fat" "$BOOTFS"/* ::/
  dd if="$fat" of="$OUT_IMG" bs=1M seek=$((BOOT_START_BYTES / 1048576)) conv=notrunc,sparse status=none
  rm -f "$fat"
  mkfs.ext4 -q -F -L "$ROOTA_LABEL" -b 4096 -J size=16 -m 0 -d "$ROOTFS" -E "offset=$ROOTA_START_BYTES" \
    "$OUT_IMG" "${ROOTA_SIZE_MIB}M"
  # Data: 4 KiB blocks (mke2fs would pick 1 KiB for a file system this small,
  # and keep them after growing), 1% reserved for root, and reserved group
  # descriptor blocks for online growth up to the 2 TiB an MBR can address.
  mkfs.ext4 -q -F -L "$DATA_LABEL" -b 4096 -m 1 -d "$DATAFS" \
    -E "offset=$DATA_START_BYTES,resize=$((2 * 1024 * 1024 * 1024 / 4))" "$OUT_IMG" "${DATA_SIZE_MIB}M"
  # mkfs may extend a sparse file it wrote last; the image ends where data ends.
  truncate -s "$IMAGE_BYTES" "$OUT_IMG"
  ROOT_USED_MIB=$root_used
}
