#!/bin/bash
# shellcheck shell=bash
# SSH helpers shared by letterbox-setup (letterbox.txt on the boot partition)
# and letterbox-ssh-request (the admin page). Sourced, never run on its own:
# both ways of switching SSH on accept exactly the same keys.

# The public key types the box accepts (OpenSSH names). Anything else,
# including every authorized_keys option (command=, from=, ...), is refused.
SSH_KEY_TYPES='ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com'

# Reads candidate key lines on stdin and prints the acceptable ones, one per
# line, as "TYPE BLOB [COMMENT]". A line must start with a key type (no
# options in front), the blob must be base64, and the comment keeps only
# letters, digits, spaces and @ . _ + : - (everything else is dropped, so a
# comment can never carry shell syntax or control characters into a file).
# Lines are text for this function, never code.
ssh_keys_filter() {
  local line type blob comment
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line//$'\r'/}
    line=${line//$'\t'/ }
    read -r type blob comment <<<"$line" || true
    [[ ${type:-} =~ ^($SSH_KEY_TYPES)$ ]] || continue
    # Length checked apart: a bounded repeat like {16,16384} makes glibc's
    # regex compiler use gigabytes.
    [[ ${blob:-} =~ ^[A-Za-z0-9+/]+=?=?$ ]] || continue
    (( ${#blob} >= 16 && ${#blob} <= 16384 )) || continue
    comment=${comment//[^A-Za-z0-9@._+: -]/}
    comment=${comment:0:100}
    comment=${comment%"${comment##*[! ]}"}
    printf '%s %s%s\n' "$type" "$blob" "${comment:+ $comment}"
  done
}

# ssh_write_authorized_keys DIR KEYS: replaces DIR/authorized_keys (0600)
# with KEYS (already filtered), atomically and synced. Empty KEYS removes it.
ssh_write_authorized_keys() {
  local dir=$1 keys=$2
  if [ -z "$keys" ]; then
    rm -f "$dir/authorized_keys"
    return 0
  fi
  (umask 077 && printf '%s\n' "$keys" >"$dir/authorized_keys.tmp")
  chmod 600 "$dir/authorized_keys.tmp"
  sync "$dir/authorized_keys.tmp"
  mv "$dir/authorized_keys.tmp" "$dir/authorized_keys"
}

# ssh_ensure_host_key DIR HOSTNAME: makes the box's ed25519 host key on the
# data partition the first time SSH is switched on (never at build time:
# every card would share it). Prints its fingerprint.
ssh_ensure_host_key() {
  local dir=$1 name=$2
  [ -e "$dir/ssh_host_ed25519_key" ] && return 0
  command -v ssh-keygen >/dev/null || return 0
  ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$dir/ssh_host_ed25519_key"
  sync "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub"
  echo "SSH host key created: $(ssh-keygen -l -f "$dir/ssh_host_ed25519_key.pub")"
}
