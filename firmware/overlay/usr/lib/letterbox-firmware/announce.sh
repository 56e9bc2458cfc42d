#!/bin/bash
# letterbox-announce (every boot): shows the owner how to claim the box.
# Letterbox creates the setup token (DIR/setup-token) before its admin page
# listens, and removes it once the box is claimed. This script waits for one
# of the two, then:
#   - unclaimed: syncs the token, writes it with the admin URL to
#     SETUP-TOKEN.txt on the boot partition (synced: it survives a power cut
#     right after it is shown), and prints both on the console and login prompt;
#   - claimed: removes SETUP-TOKEN.txt and prints the admin URL only.
set -uo pipefail

APPDIR=/var/lib/letterbox
TOKEN_FILE=$APPDIR/setup-token
BOOT_FILE=/boot/firmware/SETUP-TOKEN.txt
ISSUE=/run/issue.d/letterbox.issue
ADMIN_PORT=8443
WAIT_SECONDS=${LETTERBOX_ANNOUNCE_WAIT:-1800}

name=$(cat /proc/sys/kernel/hostname)
url="https://$name.local:$ADMIN_PORT/"

admin_listening() { ss -Hltn "sport = :$ADMIN_PORT" 2>/dev/null | grep -q .; }

addresses() {
  ip -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }' | tr '\n' ' '
}

token=
for ((waited = 0; waited < WAIT_SECONDS; waited += 2)); do
  if [ -s "$TOKEN_FILE" ]; then token=$(head -n 1 "$TOKEN_FILE" | tr -d '\r\n '); break; fi
  if admin_listening; then break; fi
  sleep 2
done

mkdir -p /run/issue.d
if [ -n "$token" ]; then
  # The token is durable on the data partition before anyone can see it.
  sync -f "$TOKEN_FILE"
  content=$(printf 'Letterbox setup\r\n\r\nOpen %s in a browser on the same network\r\nand enter this setup token:\r\n\r\n    %s\r\n\r\nIf %s.local does not open, look up the box'"'"'s address in your\r\nrouter and use https://ADDRESS:%s/ instead. This file is removed\r\nonce the box is set up.\r\n' \
    "$url" "$token" "$name" "$ADMIN_PORT")
  if [ "$(cat "$BOOT_FILE" 2>/dev/null)" != "$content" ]; then
    printf '%s' "$content" >"$BOOT_FILE.tmp" && mv "$BOOT_FILE.tmp" "$BOOT_FILE"
    sync -f "$BOOT_FILE"
  fi
  printf '\nLetterbox setup token: %s\nAdmin page: %s  (addresses: %s)\n\n' "$token" "$url" "$(addresses)" | tee "$ISSUE"
  echo "LETTERBOX-SETUP-TOKEN $token"
elif admin_listening; then
  if [ -e "$BOOT_FILE" ]; then rm -f "$BOOT_FILE"; sync -f /boot/firmware; fi
  printf '\nLetterbox admin page: %s  (addresses: %s)\n\n' "$url" "$(addresses)" | tee "$ISSUE"
else
  echo "letterbox-announce: Letterbox did not start its admin page within $WAIT_SECONDS s; see: journalctl -u letterbox"
  exit 1
fi
