#!/bin/bash
# letterbox-ssh-request (root): applies the SSH setting the owner chose on the
# admin page, and reports the state back to the admin page.
#
# Letterbox runs unprivileged and sandboxed, so it cannot start sshd. Its
# admin page writes DATA/system/ssh-request instead (same lines as
# letterbox.txt: ssh=on|off, ssh_authorized_key=KEY); letterbox-ssh-request.path
# starts this script whenever that file exists. The script takes the request
# (renames it away, so a newer one starts it again), applies it with the same
# key rules as letterbox-setup, starts or stops ssh, and writes
# DATA/system/ssh-state. It also runs once per boot (after ssh.service) so the
# report shows what letterbox.txt may have changed.
#
# Everything in the data directory belongs to the letterbox user and is read
# and written as that user (setpriv): a symlink planted there can never make
# root read or overwrite another file. The request is parsed, never sourced.
set -euo pipefail

# The paths can be moved for the firmware's unit tests (test/firmware/).
APP_DATA=${LETTERBOX_APP_DATA_DIR:-/var/lib/letterbox}
STATE=${LETTERBOX_STATE_DIR:-/data/system}
KERNEL_HOSTNAME=${LETTERBOX_HOSTNAME_FILE:-/proc/sys/kernel/hostname}
APP_USER=${LETTERBOX_APP_USER-letterbox}
SYSTEMCTL=${LETTERBOX_SYSTEMCTL:-systemctl}
# shellcheck source=ssh-keys.sh
. "$(dirname "${BASH_SOURCE[0]}")/ssh-keys.sh"

REQ_DIR=$APP_DATA/system
REQUEST=$REQ_DIR/ssh-request
TAKEN=$REQ_DIR/ssh-request.applying
REPORT=$REQ_DIR/ssh-state
SSH_DIR=$STATE/ssh
MAX_REQUEST_BYTES=65536

say() { echo "letterbox-ssh-request: $*"; }

# Runs a command as the owner of the data directory (no switch in tests).
as_app() {
  if [ -n "$APP_USER" ]; then
    setpriv --reuid="$APP_USER" --regid="$APP_USER" --clear-groups -- "$@"
  else
    "$@"
  fi
}

result=boot
# Takes the pending request, if any: applies it, or records why not.
take_request() {
  local text mode keys count
  [ -e "$REQUEST" ] || [ -L "$REQUEST" ] || return 0
  as_app mv -f -- "$REQUEST" "$TAKEN" || return 1
  text=$(as_app head -c "$MAX_REQUEST_BYTES" -- "$TAKEN" | tr -d '\000') || text=
  as_app rm -f -- "$TAKEN"
  mode=$(sed -n -e 's/\r$//' -e 's/^[[:space:]]*ssh[[:space:]]*=[[:space:]]*//p' <<<"$text" | tail -n 1 | tr -d '[:space:]' | tr '[:upper:]' '[:lower:]')
  keys=$(sed -n -e 's/\r$//' -e 's/^[[:space:]]*ssh_authorized_key[[:space:]]*=//p' <<<"$text" | ssh_keys_filter)
  count=0
  [ -z "$keys" ] || count=$(wc -l <<<"$keys")
  case $mode in
    on)
      if [ "$count" = 0 ]; then
        result="refused: no usable public key"
        say "$result"
        return 0
      fi
      ssh_write_authorized_keys "$SSH_DIR" "$keys"
      ssh_ensure_host_key "$SSH_DIR" "$(cat "$KERNEL_HOSTNAME")" | sed 's/^/letterbox-ssh-request: /'
      touch "$SSH_DIR/enabled"
      sync "$SSH_DIR/enabled" "$SSH_DIR"
      if "$SYSTEMCTL" start ssh.service; then result=applied; else result="failed: ssh did not start"; fi
      say "SSH on with $count key(s): $result"
      ;;
    off)
      rm -f "$SSH_DIR/enabled"
      ssh_write_authorized_keys "$SSH_DIR" "$keys"
      sync "$SSH_DIR"
      if "$SYSTEMCTL" stop ssh.service; then result=applied; else result="failed: ssh did not stop"; fi
      say "SSH off: $result"
      ;;
    *)
      result="refused: the request says neither ssh=on nor ssh=off"
      say "$result"
      ;;
  esac
}

# Writes DATA/system/ssh-state as the letterbox user: temp file, fsync, rename.
write_report() {
  local enabled=off active fingerprint=
  [ -e "$SSH_DIR/enabled" ] && enabled=on
  active=$("$SYSTEMCTL" is-active ssh.service 2>/dev/null) || true
  if [ -e "$SSH_DIR/ssh_host_ed25519_key.pub" ] && command -v ssh-keygen >/dev/null; then
    fingerprint=$(ssh-keygen -l -f "$SSH_DIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2) || fingerprint=
  fi
  as_app mkdir -p -m 0700 -- "$REQ_DIR"
  {
    echo "# Written by letterbox-ssh-request; read by the admin page."
    echo "ssh=$enabled"
    echo "active=${active:-unknown}"
    echo "result=$result"
    echo "at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host_key=$fingerprint"
    if [ -s "$SSH_DIR/authorized_keys" ]; then
      ssh_keys_filter <"$SSH_DIR/authorized_keys" | sed 's/^/ssh_authorized_key=/'
    fi
  } | as_app dd of="$REPORT.tmp" status=none conv=fsync
  as_app mv -f -- "$REPORT.tmp" "$REPORT"
}

mkdir -p "$SSH_DIR"
chmod 700 "$SSH_DIR"
if [ ! -d "$APP_DATA" ]; then
  say "no data directory at $APP_DATA yet; nothing to do"
  exit 0
fi
if ! take_request; then
  # Never leave a request it cannot take: PathExists would start this again at once.
  result="failed: the request could not be read"
  rm -f -- "$REQUEST"
  say "$result"
fi
write_report
