#!/bin/bash
# Runs INSIDE the target root (chroot, arm64 under qemu-user) after the
# overlay and the app are copied in. Arguments: TARGET TEST_HOOKS(0|1).
set -euo pipefail
TARGET=$1
TEST_HOOKS=$2

# The appliance user: no login shell, no password, home = its data directory.
if ! getent passwd letterbox >/dev/null; then
  adduser --system --group --home /var/lib/letterbox --no-create-home --shell /usr/sbin/nologin letterbox
fi

# No password anywhere: root's password field is locked ('*' can never match),
# so neither the console nor SSH accepts a password.
usermod -p '*' root

# The CLI finds its device defaults (/var/lib/letterbox, standard ports) by this marker.
echo "Letterbox appliance image ($TARGET)" >/etc/letterbox-device

echo letterbox >/etc/hostname
cat >/etc/hosts <<'EOF'
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
EOF

# Mount points of the other partitions and of the data directory's bind mount.
mkdir -p /data /boot/firmware /var/lib/letterbox

# machine-id: empty on a read-only root, so systemd makes a fresh one in RAM at
# every boot (see README); the image never carries one shared by every card.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
ln -sf /etc/machine-id /var/lib/dbus/machine-id

# Host keys made at build time would be identical on every card.
rm -f /etc/ssh/ssh_host_*

# DNS through systemd-resolved's stub: /etc/resolv.conf points into /run.
ln -sf ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf

systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
  avahi-daemon.service ssh.service letterbox-ssh-request.path letterbox-ssh-request.service \
  letterbox-setup.service letterbox-firstboot.service letterbox.service letterbox-announce.service
if [ "$TARGET" = rpi ]; then
  # Starts only when letterbox.txt configured Wi-Fi (condition in the drop-in).
  ln -sf /data/system/wpa_supplicant-wlan0.conf /etc/wpa_supplicant/wpa_supplicant-wlan0.conf
  systemctl enable wpa_supplicant@wlan0.service
  systemctl disable wpa_supplicant.service 2>/dev/null || true
fi
if [ "$TEST_HOOKS" = 1 ]; then
  systemctl enable letterbox-test-seed.service letterbox-test-report.service
  echo "TEST IMAGE: seeds users from the boot partition; never ship it" >/etc/letterbox-test-image
fi

# Periodic jobs that write to the card or expect a writable root: the image is
# updated as a whole, not by apt on the device, and /var/log is in RAM.
for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
  e2scrub_reap.service man-db.timer logrotate.timer systemd-firstboot.service \
  systemd-machine-id-commit.service ssh.socket; do
  systemctl mask "$unit" >/dev/null 2>&1 || true
done

# The app bundle is read-only data owned by root.
chown -R root:root /opt/letterbox
chmod -R go-w /opt/letterbox

rm -f /usr/sbin/policy-rc.d
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /var/log/apt/* /tmp/* /var/tmp/*
