#!/bin/bash
# Boot test of the Letterbox image under qemu-system-aarch64 (virt, TCG).
# Run as root from the repository:
#
#   firmware/test/boot-test.sh [--image FILE] [--skip-app-build] [--keep]
#
# Without --image it first builds the QEMU variant with the test hooks
# (firmware/build.sh --target qemu --test-hooks). Then it:
#   1. copies the image into a 'card' 2 GiB larger than the image and puts a
#      host name into letterbox.txt on its boot partition;
#   2. boot 1 (first boot): QEMU user-mode networking with restrict=on and only
#      127.0.0.1 forwards to the guest's ports 25, 993 and 8443. Waits for the
#      setup token on the console; checks the data partition grew to the card's
#      last 4 MiB boundary (the size image-layout.mjs predicts), the root is
#      read-only, no unit failed, host name/avahi/SSH-off/zram/journal-in-RAM,
#      the admin page answers over HTTPS; then kills QEMU at once (a power
#      cut right after the token was shown) and reads SETUP-TOKEN.txt and the
#      partition table from the card;
#   3. boot 2: the same token is shown, first boot did not run again; claims
#      the box with the token and creates a domain and a user through the
#      admin API, switches SSH on through the admin API with a key made for
#      the test and waits until the console report shows ssh=active, samples
#      the idle memory, delivers a message over SMTP, and kills QEMU right
#      after the 250;
#   4. boot 3: the message is readable over IMAPS; the claimed box shows no
#      token; SSH is still on.
# When the app under test has no admin page (dist/src/main.js does not load
# it), the user comes from the test-seed file instead, steps 2-3 merge into one
# boot, and the summary lists what was NOT CHECKED.
# Exit 0 when everything passed. Prints timings and sizes at the end.
set -euo pipefail

FW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$FW_DIR/.." && pwd)
# shellcheck source=../lib/common.sh
. "$FW_DIR/lib/common.sh"

IMAGE=
BUILD_ARGS=()
KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
    --image) IMAGE=$2; shift 2 ;;
    --skip-app-build) BUILD_ARGS+=(--skip-app-build); shift ;;
    --keep) KEEP=1; shift ;;
    *) die "unknown option $1" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root (the build needs it)"
require_cmds ssh-keygen:openssh-client qemu-system-aarch64:qemu-system-arm python3:python3 mcopy:mtools sfdisk:fdisk dumpe2fs:e2fsprogs ss:iproute2

HOSTNAME_SET=lbtest
DOMAIN=boottest.example
ADDRESS=alice@$DOMAIN
PASSWORD=boot-test-password-1
ADMIN_USER=owner
ADMIN_PASSWORD=boot-test-admin-password
MARKER=lbtest-$(date +%s)-$$
BOOT1_TIMEOUT=${LETTERBOX_BOOT1_TIMEOUT:-900}
BOOT2_TIMEOUT=${LETTERBOX_BOOT2_TIMEOUT:-600}

t_start=$(now_s)
BUILT_HERE=0
if [ -z "$IMAGE" ]; then
  BUILT_HERE=1
  log "building the QEMU test image"
  "$FW_DIR/build.sh" --target qemu --test-hooks "${BUILD_ARGS[@]}"
  IMAGE=$REPO/firmware/out/letterbox-qemu-test.img
fi
t_built=$(now_s)
[ -f "$IMAGE" ] || die "no image at $IMAGE"

T=$(mktemp -d /var/tmp/letterbox-boot-test.XXXXXX)
QEMU_PID=
finish() {
  local rc=$?
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then kill -9 "$QEMU_PID" 2>/dev/null || true; fi
  if [ "$rc" != 0 ]; then
    echo "---- boot test FAILED; last console lines ----" >&2
    tail -n 60 "$T"/serial-*.log >&2 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ] || [ "$rc" != 0 ]; then echo "work files kept in $T" >&2; else rm -rf "$T"; fi
}
trap finish EXIT

# Partition offsets from the image's own table (not from the build options).
part_start() { sfdisk --json "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']['partitions'][$2-1]; print(p['start']*512)"; }
part_size() { sfdisk --json "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']['partitions'][$2-1]; print(p['size']*512)"; }

# The admin page (setup token, claim, users) is checked when the app under
# test wires it in; before that, the user comes from the test-seed file.
if grep -qE 'admin/(index|build-admin|admin-server)\.js' "$REPO/dist/src/main.js"; then ADMIN=1; else ADMIN=0; fi
NOT_CHECKED=()

DISK=$T/card.img
cp --sparse=always "$IMAGE" "$DISK"
image_bytes=$(stat -c %s "$IMAGE")
truncate -s $((image_bytes + 2 * 1024 * 1024 * 1024)) "$DISK"
card_bytes=$(stat -c %s "$DISK")
BOOT_OFF=$(part_start "$DISK" 1)
FAT="$DISK@@$BOOT_OFF"
data_before=$(part_size "$DISK" 4)

# The owner's pre-seed file: a host name (the boot test's, so the URL is checkable).
printf 'hostname=%s\r\n' "$HOSTNAME_SET" >"$T/letterbox.txt"
mcopy -o -i "$FAT" "$T/letterbox.txt" ::/letterbox.txt
if [ "$ADMIN" = 0 ]; then
  printf 'domain %s\nuser %s %s\n' "$DOMAIN" "$ADDRESS" "$PASSWORD" >"$T/seed.txt"
  mcopy -o -i "$FAT" "$T/seed.txt" ::/letterbox-test-seed.txt
  NOT_CHECKED+=("setup token, admin page, claim and user creation through the admin API (the app has no admin yet; user made by the test seed)")
fi
for f in vmlinuz initrd.img cmdline.txt; do mcopy -i "$FAT" "::/$f" "$T/$f"; done

free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
P_SMTP=$(free_port); P_IMAPS=$(free_port); P_ADMIN=$(free_port)

# Boots the card; the console goes to serial-N.log. No -enable-kvm: TCG only.
boot() {
  local n=$1
  qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 \
    -kernel "$T/vmlinuz" -initrd "$T/initrd.img" -append "$(tr -d '\r\n' <"$T/cmdline.txt")" \
    -drive "file=$DISK,format=raw,if=none,id=card,cache=writeback" -device virtio-blk-pci,drive=card \
    -netdev "user,id=lan,restrict=on,hostfwd=tcp:127.0.0.1:$P_SMTP-:25,hostfwd=tcp:127.0.0.1:$P_IMAPS-:993,hostfwd=tcp:127.0.0.1:$P_ADMIN-:8443" \
    -device virtio-net-pci,netdev=lan -device i6300esb -rtc base=utc \
    -display none -monitor none -serial "file:$T/serial-$n.log" -no-reboot &
  QEMU_PID=$!
}

# Waits until PATTERN appears in the console log of boot N.
wait_console() {
  local n=$1 pattern=$2 timeout=$3 waited=0
  while ! grep -qE "$pattern" "$T/serial-$n.log" 2>/dev/null; do
    kill -0 "$QEMU_PID" 2>/dev/null || die "QEMU exited during boot $n while waiting for: $pattern"
    [ "$waited" -lt "$timeout" ] || die "boot $n: no '$pattern' on the console within $timeout s"
    sleep 2; waited=$((waited + 2))
  done
}

# Waits until a stats line after the first AFTER ones of boot N matches PATTERN.
wait_stats_after() {
  local n=$1 after=$2 pattern=$3 timeout=$4 waited=0
  # grep without -q reads to the end: an early exit would fail the pipe (pipefail).
  until grep -a 'LBTEST stats' "$T/serial-$n.log" | tail -n +"$((after + 1))" | grep -E -- "$pattern" >/dev/null; do
    kill -0 "$QEMU_PID" 2>/dev/null || die "QEMU exited during boot $n while waiting for: $pattern"
    [ "$waited" -lt "$timeout" ] || die "boot $n: no stats line with '$pattern' within $timeout s"
    sleep 2; waited=$((waited + 2))
  done
}

power_cut() { kill -9 "$QEMU_PID"; wait "$QEMU_PID" 2>/dev/null || true; QEMU_PID=; }

last_stats() { grep -a 'LBTEST stats' "$T/serial-$1.log" | tail -n 1 | tr -d '\r'; }
stat_value() { sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }

check() { if eval "$2"; then log "PASS $1"; else die "FAIL $1"; fi; }

token_of() { grep -aoE 'LETTERBOX-SETUP-TOKEN [^ ]+' "$T/serial-$1.log" | head -n 1 | cut -d' ' -f2 | tr -d '\r'; }

# ---- boot 1: first boot ----
log "boot 1 (first boot) of $(basename "$IMAGE"), card $((card_bytes / 1048576)) MiB"
t_boot1=$(now_s)
boot 1
if [ "$ADMIN" = 1 ]; then
  wait_console 1 'LETTERBOX-SETUP-TOKEN [^ ]+' "$BOOT1_TIMEOUT"
else
  wait_console 1 'LBTEST seed (ok|failed)' "$BOOT1_TIMEOUT"
  check "test seed created the domain and user" "grep -aq 'LBTEST seed ok' '$T/serial-1.log'"
fi
t_token=$(now_s)
python3 "$FW_DIR/test/boot_check.py" wait-banner "$P_SMTP" 300
t_ready1=$(now_s)
wait_console 1 'LBTEST stats .*letterbox_state=active' 120
stats=$(last_stats 1)
expected_data=$(node "$FW_DIR/lib/image-layout.mjs" grow --disk-bytes "$card_bytes" \
  --boot-mib $(( $(part_size "$DISK" 1) / 1048576 )) --root-mib $(( $(part_size "$DISK" 2) / 1048576 )) \
  --data-mib $((data_before / 1048576)) | python3 -c 'import json,sys; print(json.load(sys.stdin)["sizeBytes"])')
check "data partition grew to fill the card ($data_before -> $expected_data bytes)" \
  "[ '$(stat_value "$stats" data_part_bytes)' = '$expected_data' ]"
check "data file system grew with it" "[ '$(stat_value "$stats" data_fs_bytes)' -gt $((expected_data * 9 / 10)) ]"
check "root file system is mounted read-only" "[ '$(stat_value "$stats" root_mount)' = ro ]"
check "no failed units" "[ -z '$(stat_value "$stats" failed_units)' ]"
check "host name from letterbox.txt, avahi publishing it" "[ '$(stat_value "$stats" hostname)' = $HOSTNAME_SET ] && [ '$(stat_value "$stats" avahi)' = active ]"
check "SSH is off" "[ '$(stat_value "$stats" ssh)' != active ]"
check "swap is zram only" "[ '$(stat_value "$stats" swap)' = /dev/zram0 ]"
check "systemd arms the hardware watchdog (15 s)" "[ '$(stat_value "$stats" watchdog)' = active/15 ]"
check "the journal is in RAM only" "[ '$(stat_value "$stats" journal)' = /run/log/journal ]"

if [ "$ADMIN" = 1 ]; then
  TOKEN=$(token_of 1)
  check "setup token printed once on boot 1" "[ \$(grep -ac 'LETTERBOX-SETUP-TOKEN' '$T/serial-1.log') = 1 ]"
  check "admin URL uses the pre-seeded host name" "grep -aq 'https://$HOSTNAME_SET.local:8443/' '$T/serial-1.log'"
  python3 "$FW_DIR/test/boot_check.py" admin-page "$P_ADMIN" "$HOSTNAME_SET"
  log "PASS admin page answers over HTTPS"
  # Power cut right after the token was shown: it must already be durable.
  power_cut
  check "data partition ends on the card's last 4 MiB boundary" "[ \$(part_size '$DISK' 4) = '$expected_data' ]"
  mcopy -n -i "$FAT" ::/SETUP-TOKEN.txt "$T/setup-token-1.txt"
  check "SETUP-TOKEN.txt on the boot partition holds the token" "[ \$(grep -c '$TOKEN' '$T/setup-token-1.txt') = 1 ]"

  # ---- boot 2: same token, no second first boot; claim, create the user ----
  log "boot 2 (after a power cut, unclaimed)"
  t_boot2=$(now_s)
  boot 2
  wait_console 2 'LETTERBOX-SETUP-TOKEN [^ ]+' "$BOOT2_TIMEOUT"
  check "the setup token is unchanged after the power cut" "[ '$(token_of 2)' = '$TOKEN' ]"
  check "first boot did not run again" "! grep -aq 'letterbox-firstboot: done' '$T/serial-2.log'"
  python3 "$FW_DIR/test/boot_check.py" wait-banner "$P_SMTP" 300
  t_ready2=$(now_s)
  # The token file survives from boot 1, so it is shown before the admin listens.
  wait_console 2 'LBTEST stats .*listening=[0-9,]*,8443,' 300
  mcopy -n -i "$FAT" ::/SETUP-TOKEN.txt "$T/setup-token-2.txt" 2>/dev/null || true
  python3 "$FW_DIR/test/boot_check.py" admin-claim "$P_ADMIN" "$HOSTNAME_SET" "$TOKEN" "$ADMIN_USER" "$ADMIN_PASSWORD" "$T/admin.json"
  python3 "$FW_DIR/test/boot_check.py" admin-user "$P_ADMIN" "$HOSTNAME_SET" "$T/admin.json" "$DOMAIN" "$ADDRESS" "$PASSWORD"
  log "PASS box claimed with the setup token; domain and user created through the admin API"
  # Remote login from the admin page: the firmware (root) applies the request.
  ssh-keygen -q -t ed25519 -N '' -C lbtest@host -f "$T/ssh-key"
  python3 "$FW_DIR/test/boot_check.py" admin-ssh "$P_ADMIN" "$HOSTNAME_SET" "$T/admin.json" "$T/ssh-key.pub"
  ssh_from=$(grep -ac 'LBTEST stats' "$T/serial-2.log")
  wait_stats_after 2 "$ssh_from" ' ssh=active ' 120
  log "PASS SSH switched on from the admin page (ssh=active on the console)"
  MAIL_BOOT=2
else
  MAIL_BOOT=1
fi

# Idle memory: let the box settle after start-up and the requests, then read the report.
sleep 45
idle=$(last_stats "$MAIL_BOOT" | sed 's/.*LBTEST stats //')
# The service watchdog (30 s) has run out at least once since start: without
# the app's pings systemd would have killed and restarted it by now.
check "Letterbox reported ready and pets its 30 s service watchdog (no restarts)" \
  "[ '$(stat_value "$idle" letterbox_watchdog)' = 30s ] && [ '$(stat_value "$idle" letterbox_restarts)' = 0 ] && [ '$(stat_value "$idle" letterbox_status)' = serving_mail ] && [ '$(stat_value "$idle" letterbox_state)' = active ]"
python3 "$FW_DIR/test/boot_check.py" smtp-send "$P_SMTP" "$ADDRESS" "$MARKER"
log "PASS SMTP accepted the message; cutting the power now"
power_cut
check "data partition ends on the card's last 4 MiB boundary" "[ \$(part_size '$DISK' 4) = '$expected_data' ]"

# ---- last boot: the message survived the power cut ----
LAST=$((MAIL_BOOT + 1))
log "boot $LAST (after the power cut that followed SMTP 250)"
t_boot_last=$(now_s)
boot "$LAST"
python3 "$FW_DIR/test/boot_check.py" wait-banner "$P_SMTP" "$BOOT2_TIMEOUT"
t_ready_last=$(now_s)
# Services start one after another: wait until the report shows IMAPS listening.
wait_console "$LAST" 'LBTEST stats .*listening=[0-9,]*,993,' 300
python3 "$FW_DIR/test/boot_check.py" imap-find "$P_IMAPS" "$ADDRESS" "$PASSWORD" "$MARKER"
log "PASS the message is readable over IMAP after the power cut"
check "first boot did not run again" "! grep -aq 'letterbox-firstboot: done' '$T/serial-$LAST.log'"
if [ "$ADMIN" = 1 ]; then
  wait_console "$LAST" 'Letterbox admin page:|LETTERBOX-SETUP-TOKEN' 300
  check "the claimed box no longer prints a setup token" "! grep -aq 'LETTERBOX-SETUP-TOKEN' '$T/serial-$LAST.log'"
  python3 "$FW_DIR/test/boot_check.py" admin-page "$P_ADMIN" "$HOSTNAME_SET"
  wait_console "$LAST" 'LBTEST stats ' 120
  wait_stats_after "$LAST" 0 ' ssh=active ' 120
  log "PASS SSH is still on after the power cut"
fi
power_cut
if [ "$ADMIN" = 1 ]; then
  check "SETUP-TOKEN.txt is gone from the boot partition once claimed" "! mdir -b -i '$FAT' ::/SETUP-TOKEN.txt >/dev/null 2>&1"
fi

t_end=$(now_s)
echo
echo "boot test passed"
echo "  image:              $(basename "$IMAGE"), $((image_bytes / 1048576)) MiB ($(( $(stat -c %b "$IMAGE") * 512 / 1048576 )) MiB allocated)"
echo "  build:              $((t_built - t_start)) s"
echo "  boot 1 (first):     $((t_token - t_boot1)) s to token/seed, $((t_ready1 - t_boot1)) s to SMTP banner"
[ "$ADMIN" = 1 ] && echo "  boot 2:             $((t_ready2 - t_boot2)) s to SMTP banner"
echo "  boot $LAST:             $((t_ready_last - t_boot_last)) s to SMTP banner"
echo "  idle (boot $MAIL_BOOT):      $idle"
for n in "${NOT_CHECKED[@]}"; do echo "  NOT CHECKED:        $n"; done
echo "  whole test:         $((t_end - t_start)) s (boots and checks $((t_end - t_built)) s)"

# Record the pass for CI (scripts/firmware-ci.sh runs the boot test again only
# when firmware/ or package-lock.json no longer match this fingerprint).
if [ "$BUILT_HERE" = 1 ] && [ "${#NOT_CHECKED[@]}" = 0 ]; then
  {
    echo "# Last passing boot test (firmware/test/boot-test.sh); commit this file with the change it tested."
    echo "fingerprint $("$FW_DIR/test/boot-fingerprint.sh")"
    echo "date $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "image $(basename "$IMAGE") $((image_bytes / 1048576)) MiB, whole test $((t_end - t_start)) s"
  } >"$FW_DIR/test/boot-tested"
  echo "  recorded:           firmware/test/boot-tested"
fi
