#!/bin/bash
# letterbox-setup (every boot, before the network): applies the owner's
# settings from /boot/firmware/letterbox.txt and sets the host name.
#
# letterbox.txt holds KEY=VALUE lines (see the commented file on the boot
# partition). It is parsed, never sourced: nothing in it is executed.
#   hostname=NAME              1-63 of a-z 0-9 -; the box is then NAME.local
#   wifi_ssid=NAME             Wi-Fi network (the Zero 2 W has no Ethernet)
#   wifi_password=SECRET       8-63 characters; removed from the file once applied
#   wifi_country=CC            two-letter regulatory domain, e.g. DE, US
#   ssh=on|off                 SSH server (keys only)
#   ssh_authorized_key=KEY     an OpenSSH public key; the line may repeat
# Applied settings live on the data partition (/data/system); the file's
# secrets are blanked afterwards so the card's FAT partition, readable by any
# PC, no longer holds the Wi-Fi password.
set -euo pipefail

# The paths can be moved for the firmware's unit tests (test/firmware/).
BOOT=${LETTERBOX_BOOT_DIR:-/boot/firmware}
SETTINGS=$BOOT/letterbox.txt
STATE=${LETTERBOX_STATE_DIR:-/data/system}
KERNEL_HOSTNAME=${LETTERBOX_HOSTNAME_FILE:-/proc/sys/kernel/hostname}
DEFAULT_HOSTNAME=letterbox
# shellcheck source=ssh-keys.sh
. "$(dirname "${BASH_SOURCE[0]}")/ssh-keys.sh"

say() { echo "letterbox-setup: $*"; }

mkdir -p "$STATE/ssh"
chmod 700 "$STATE/ssh"

# Returns the value of KEY (last occurrence), trimmed, from the settings file.
setting() {
  sed -n -e 's/\r$//' -e "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$SETTINGS" | tail -n 1 | sed 's/[[:space:]]*$//'
}

apply_hostname() {
  local name
  name=$(setting hostname | tr '[:upper:]' '[:lower:]')
  [ -n "$name" ] || return 0
  if [[ $name =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]]; then
    if [ "$(cat "$STATE/hostname" 2>/dev/null)" != "$name" ]; then
      printf '%s\n' "$name" >"$STATE/hostname.tmp" && mv "$STATE/hostname.tmp" "$STATE/hostname"
      say "host name set to $name"
    fi
  else
    say "ignoring hostname=$name: use 1-63 letters, digits and dashes"
  fi
}

apply_wifi() {
  local ssid password country conf
  ssid=$(setting wifi_ssid)
  password=$(setting wifi_password)
  country=$(setting wifi_country | tr '[:lower:]' '[:upper:]')
  [ -n "$ssid" ] && [ -n "$password" ] || return 0
  if ! command -v wpa_passphrase >/dev/null; then
    say "this image has no Wi-Fi support; ignoring wifi_ssid"
    return 0
  fi
  if [ ${#password} -lt 8 ] || [ ${#password} -gt 63 ]; then
    say "ignoring Wi-Fi settings: the password must have 8 to 63 characters"
    return 0
  fi
  conf=$STATE/wpa_supplicant-wlan0.conf
  {
    echo 'ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev'
    echo 'update_config=0'
    if [[ $country =~ ^[A-Z]{2}$ ]]; then echo "country=$country"; fi
    # wpa_passphrase stores the derived PSK, not the password itself.
    wpa_passphrase "$ssid" "$password" | grep -v '^[[:space:]]*#psk='
  } >"$conf.tmp"
  chmod 600 "$conf.tmp"
  mv "$conf.tmp" "$conf"
  sync -f "$conf"
  say "Wi-Fi network \"$ssid\" configured"
}

apply_ssh() {
  local mode keys
  mode=$(setting ssh | tr '[:upper:]' '[:lower:]')
  keys=$(sed -n -e 's/\r$//' -e 's/^[[:space:]]*ssh_authorized_key[[:space:]]*=//p' "$SETTINGS" | ssh_keys_filter)
  if [ -n "$keys" ]; then
    ssh_write_authorized_keys "$STATE/ssh" "$keys"
  fi
  case $mode in
    on|yes|true|1) touch "$STATE/ssh/enabled" ;;
    off|no|false|0) rm -f "$STATE/ssh/enabled" ;;
  esac
  if [ -e "$STATE/ssh/enabled" ]; then
    ssh_ensure_host_key "$STATE/ssh" "$(cat "$KERNEL_HOSTNAME")" | sed 's/^/letterbox-setup: /'
  fi
}

# Blanks secrets in letterbox.txt once they are stored on the data partition.
scrub_settings() {
  if grep -qE '^[[:space:]]*wifi_password[[:space:]]*=' "$SETTINGS"; then
    sed -e 's/\r$//' -e "s/^[[:space:]]*wifi_password[[:space:]]*=.*/# wifi_password was applied on $(date -u +%F) and removed from this file/" \
      "$SETTINGS" >"$SETTINGS.tmp"
    mv "$SETTINGS.tmp" "$SETTINGS"
    sync -f "$SETTINGS"
  fi
}

if [ -f "$SETTINGS" ]; then
  apply_hostname
  apply_wifi
  apply_ssh
  scrub_settings
fi
sync -f "$STATE"

name=$(cat "$STATE/hostname" 2>/dev/null || echo "$DEFAULT_HOSTNAME")
# Written straight to the kernel: the root is read-only and D-Bus (hostnamectl)
# is not running this early.
printf '%s' "$name" >"$KERNEL_HOSTNAME"
say "host name $name (LAN name $name.local)"
