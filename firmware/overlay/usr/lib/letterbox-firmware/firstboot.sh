#!/bin/bash
# letterbox-firstboot (once): grows the data partition and its ext4 file
# system to fill the card, and prepares the data directory. Every step is
# idempotent, and the marker is synced last: a power cut at any point means
# the next boot simply runs this again.
set -euo pipefail

DATA=/data
APPDIR=$DATA/letterbox
MARKER=$DATA/system/firstboot-done
ALIGN_BYTES=$((4 * 1024 * 1024))   # same 4 MiB alignment as firmware/lib/image-layout.mjs
MBR_MAX_SECTORS=$((1 << 32))

say() { echo "letterbox-firstboot: $*"; }

# Grows the partition holding /data to the last whole 4 MiB of the disk
# (capped at what an MBR can address), then the file system, online.
grow_data() {
  local src dev disk partn start_sectors disk_bytes end_sectors size_sectors old_sectors
  src=$(findmnt -nro SOURCE --target "$DATA")
  dev=$(basename "$(readlink -f "$src")")
  disk=/dev/$(lsblk -ndo PKNAME "/dev/$dev")
  partn=$(cat "/sys/class/block/$dev/partition")
  start_sectors=$(cat "/sys/class/block/$dev/start")
  old_sectors=$(cat "/sys/class/block/$dev/size")
  disk_bytes=$(blockdev --getsize64 "$disk")
  end_sectors=$(( (disk_bytes / ALIGN_BYTES) * ALIGN_BYTES / 512 ))
  [ "$end_sectors" -le "$MBR_MAX_SECTORS" ] || end_sectors=$MBR_MAX_SECTORS
  size_sectors=$(( end_sectors - start_sectors ))
  if [ "$size_sectors" -gt "$old_sectors" ]; then
    say "growing $disk partition $partn from $((old_sectors / 2048)) MiB to $((size_sectors / 2048)) MiB"
    echo "start=$start_sectors, size=$size_sectors" \
      | sfdisk --quiet --force --no-reread --no-tell-kernel -N "$partn" "$disk"
    # Tell the kernel the new size of this one partition (the disk is in use,
    # so a full re-read is refused).
    partx -u --nr "$partn" "$disk"
  else
    say "data partition already fills the disk ($((old_sectors / 2048)) MiB)"
  fi
  resize2fs "/dev/$dev" 2>&1 | sed 's/^/letterbox-firstboot: /'
  say "data file system: $(df -h --output=size "$DATA" | tail -1 | tr -d ' ') on /dev/$dev"
}

# Creates the data directory Letterbox owns and a boot file naming the box
# <hostname>.local, so the TLS certificate Letterbox makes at its first start
# covers the admin URL printed on the console.
prepare_data_dir() {
  local name
  install -d -o letterbox -g letterbox -m 0700 "$APPDIR"
  name=$(cat /proc/sys/kernel/hostname)
  if [ ! -e "$APPDIR/letterbox.json" ]; then
    printf '{\n  "hostname": "%s.local"\n}\n' "$name" >"$APPDIR/letterbox.json.tmp"
    chown letterbox:letterbox "$APPDIR/letterbox.json.tmp"
    chmod 0600 "$APPDIR/letterbox.json.tmp"
    mv "$APPDIR/letterbox.json.tmp" "$APPDIR/letterbox.json"
  fi
}

grow_data || say "could not grow the data partition; Letterbox runs in the space it has"
prepare_data_dir
sync -f "$APPDIR"
date -u +%FT%TZ >"$MARKER"
sync -f "$MARKER"
say "done"
