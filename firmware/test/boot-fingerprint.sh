#!/bin/bash
# Prints the fingerprint of what the boot test depends on: the content of
# every file under firmware/ that git tracks or would track, and of
# package-lock.json, leaving out firmware/test/boot-tested (the record of
# the last pass). boot-test.sh records it after a pass; CI compares it with
# that record to decide whether the boot test must run again.
set -euo pipefail
cd "$(dirname "$0")/../.."
git ls-files -z --cached --others --exclude-standard -- firmware package-lock.json \
  | grep -zv '^firmware/test/boot-tested$' \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
