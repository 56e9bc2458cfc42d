#!/bin/bash
# TEST IMAGES ONLY. Reads /boot/firmware/letterbox-test-seed.txt:
#   domain NAME
#   user ADDRESS PASSWORD
# waits for Letterbox, applies each line with the letterbox command, then
# renames the file to .done (synced) so it runs once. Prints "LBTEST seed ok"
# or "LBTEST seed failed: ..." on the console.
set -uo pipefail
SEED=/boot/firmware/letterbox-test-seed.txt
for _ in $(seq 1 600); do
  [ -S /var/lib/letterbox/control.sock ] && ss -Hltn 'sport = :25' | grep -q . && break
  sleep 1
done
status=ok
while read -r kind a b; do
  case $kind in
    domain) out=$(letterbox domain add "$a" 2>&1) || status="failed: domain add $a: $out" ;;
    user) out=$(printf '%s\n' "$b" | letterbox user add "$a" 2>&1) || status="failed: user add $a: $out" ;;
    ''|'#'*) ;;
    *) status="failed: unknown line $kind" ;;
  esac
done < <(tr -d '\r' <"$SEED")
mv "$SEED" "$SEED.done"
sync -f /boot/firmware
echo "LBTEST seed $status"
