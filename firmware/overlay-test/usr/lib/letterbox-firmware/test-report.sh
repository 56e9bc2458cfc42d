#!/bin/bash
# TEST IMAGES ONLY: state lines for the boot test, every 15 s, as
# "LBTEST stats key=value ..." on the console (no SSH needed to look inside).
set -uo pipefail
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
echo "LBTEST boot $(systemd-analyze time 2>/dev/null | head -n 1)"
while :; do
  pid=$(systemctl show -p MainPID --value letterbox.service)
  rss=0
  if [ "${pid:-0}" != 0 ] && [ -r "/proc/$pid/status" ]; then rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status"); fi
  total=$(meminfo MemTotal); avail=$(meminfo MemAvailable)
  data_dev=$(findmnt -nro SOURCE --target /data)
  journal=$(for d in /run/log/journal /var/log/journal; do [ -d "$d" ] && echo "$d"; done | paste -sd, -)
  fields=(
    "uptime=$(cut -d' ' -f1 /proc/uptime)"
    "mem_total_kb=$total" "mem_used_kb=$((total - avail))"
    "letterbox_rss_kb=$rss"
    "letterbox_cgroup_bytes=$(systemctl show -p MemoryCurrent --value letterbox.service)"
    "letterbox_state=$(systemctl is-active letterbox.service)"
    "letterbox_restarts=$(systemctl show -p NRestarts --value letterbox.service)"
    "letterbox_watchdog=$(systemctl show -p WatchdogUSec --value letterbox.service)"
    "letterbox_status=$(systemctl show -p StatusText --value letterbox.service | tr ' ' _)"
    "data_part_bytes=$(blockdev --getsize64 "$data_dev")"
    "data_fs_bytes=$(df -B1 --output=size /data | tail -n 1 | tr -d ' ')"
    "root_mount=$(findmnt -nro OPTIONS / | cut -d, -f1)"
    "hostname=$(cat /proc/sys/kernel/hostname)"
    "avahi=$(systemctl is-active avahi-daemon.service)"
    "ssh=$(systemctl is-active ssh.service)"
    "swap=$(swapon --noheadings --show=NAME | paste -sd, -)"
    "journal=$journal"
    "watchdog=$(cat /sys/class/watchdog/watchdog0/state 2>/dev/null)/$(cat /sys/class/watchdog/watchdog0/timeout 2>/dev/null)"
    "listening=,$(ss -Hltn | awk '{ n = split($4, a, ":"); print a[n] }' | sort -nu | paste -sd, -),"
    "failed_units=$(systemctl --failed --no-legend --plain | awk '{ print $1 }' | paste -sd, -)"
  )
  echo "LBTEST stats ${fields[*]}"
  sleep 15
done
