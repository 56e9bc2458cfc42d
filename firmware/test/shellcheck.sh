#!/bin/bash
# Runs shellcheck (Debian package `shellcheck`) on every shell script of the
# firmware: build scripts, libraries, first-boot scripts and tests. Exit 1 on
# any finding.
set -euo pipefail
FW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v shellcheck >/dev/null || { echo "shellcheck not installed (apt-get install shellcheck)" >&2; exit 1; }
mapfile -t scripts < <(
  find "$FW_DIR" -path "$FW_DIR/out" -prune -o -type f -print | while read -r f; do
    case $f in
      *.sh) echo "$f" ;;
      *) head -c 64 "$f" 2>/dev/null | head -n 1 | grep -qE '^#!/bin/(ba)?sh' && echo "$f" ;;
    esac
  done | sort
)
[ ${#scripts[@]} -gt 5 ] || { echo "found only ${#scripts[@]} scripts under $FW_DIR" >&2; exit 1; }
cd "$FW_DIR"
shellcheck -x -P SCRIPTDIR "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
