#!/bin/bash
# Static checks of a built image, read from outside without mounting it
# (sfdisk, mtools, debugfs at partition offsets; no root, no loop devices):
#   - MBR with the four partitions where image-layout.mjs puts them
#   - boot partition: kernel, initrd, cmdline.txt pointing at rootA of this
#     disk, letterbox.txt; no SETUP-TOKEN.txt yet
#   - root: no password in /etc/shadow, no SSH host keys, empty machine-id,
#     the device marker, the app; the test-image marker only with --test-image
#   - data: /letterbox owned by the letterbox user, mode 0700
# Usage: firmware/test/image-check.sh IMAGE [--test-image]
# shellcheck disable=SC2034 # variables below are read inside the expressions expect() evals
set -euo pipefail

FW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGE=${1:?usage: image-check.sh IMAGE [--test-image]}
TEST_IMAGE=0
[ "${2:-}" = --test-image ] && TEST_IMAGE=1

fails=0
pass() { echo "ok   $1"; }
bad() { echo "FAIL $1" >&2; fails=$((fails + 1)); }
expect() { if eval "$2"; then pass "$1"; else bad "$1"; fi; }

table=$(sfdisk --json "$IMAGE")
field() { python3 -c "import json,sys; t=json.load(sys.stdin)['partitiontable']; print(eval(sys.argv[1]))" "$1" <<<"$table"; }
disk_id=$(field "t['id']"); disk_id=${disk_id#0x}
mib() { echo $(( $(field "t['partitions'][$1]['size']") * 512 / 1048576 )); }
expected=$(node "$FW_DIR/lib/image-layout.mjs" sfdisk --boot-mib "$(mib 0)" --root-mib "$(mib 1)" \
  --data-mib "$(mib 3)" --disk-id "0x$disk_id" | sed -n 's/^start=\([0-9]*\), size=\([0-9]*\), type=\([0-9a-f]*\).*/\1 \2 \3/p')
actual=$(field "'\\n'.join(f\"{p['start']} {p['size']} {p['type']}\" for p in t['partitions'])")
expect "partition table matches image-layout.mjs" "[ \"\$actual\" = \"\$expected\" ]"
expect "boot partition is marked bootable" "[ \"\$(field \"t['partitions'][0].get('bootable', False)\")\" = True ]"

part_start() { echo $(( $(field "t['partitions'][$1]['start']") * 512 )); }
FAT="$IMAGE@@$(part_start 0)"
ROOT="$IMAGE?offset=$(part_start 1)"
DATA="$IMAGE?offset=$(part_start 3)"

cmdline=$(mtype -i "$FAT" ::/cmdline.txt)
expect "cmdline.txt mounts rootA of this disk read-only" "grep -q 'root=PARTUUID=$disk_id-02 ro ' <<<\"\$cmdline\""
for f in vmlinuz initrd.img letterbox.txt README.txt; do
  expect "boot partition has $f" "mdir -b -i '$FAT' ::/$f >/dev/null 2>&1"
done
expect "no SETUP-TOKEN.txt before the first boot" "! mdir -b -i '$FAT' ::/SETUP-TOKEN.txt >/dev/null 2>&1"

in_root() { debugfs -R "$1" "$ROOT" 2>/dev/null; }
shadow=$(in_root 'cat /etc/shadow')
expect "/etc/shadow is readable" "[ -n \"\$shadow\" ]"
expect "no account has a password" "! awk -F: '\$2 !~ /^[*!]/' <<<\"\$shadow\" | grep -q ."
expect "no SSH host keys in the image" "! in_root 'ls /etc/ssh' | grep -q ssh_host_"
expect "/etc/machine-id is empty" "in_root 'stat /etc/machine-id' | grep -q 'Size: 0\\b'"
expect "device marker present" "in_root 'stat /etc/letterbox-device' | grep -q 'Type: regular'"
expect "app installed" "in_root 'stat /opt/letterbox/bin/letterbox.js' | grep -q 'Type: regular'"
if [ "$TEST_IMAGE" = 1 ]; then
  expect "test-image marker present" "in_root 'stat /etc/letterbox-test-image' | grep -q 'Type: regular'"
else
  expect "no test hooks in this image" "! in_root 'stat /etc/letterbox-test-image' | grep -q 'Type: regular'"
fi
uid=$(awk -F: '$1 == "letterbox" { print $3 }' <<<"$(in_root 'cat /etc/passwd')")
data_stat=$(debugfs -R 'stat /letterbox' "$DATA" 2>/dev/null)
expect "data dir owned by letterbox (uid $uid), mode 0700" \
  "grep -q 'User: *$uid ' <<<\"\$data_stat\" && grep -q 'Mode: *0700' <<<\"\$data_stat\""

[ "$fails" = 0 ] || { echo "image-check: $fails check(s) failed for $IMAGE" >&2; exit 1; }
echo "image-check: $(basename "$IMAGE") passed"
