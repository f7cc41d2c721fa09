#!/bin/sh
# SPDX-License-Identifier: MIT
# mmdebstrap --customize-hook for the guest's root file system: the
# settings a booted test machine needs.  Everything that belongs to one run
# (the package, the test runner, the kernel modules) comes on the second
# disk, labelled sgw-payload and mounted at /systest, so that this image
# stays the same between runs.
set -eu
root=$1
etc=$root/etc
unit=$etc/systemd/system

echo sgw-systest >"$etc/hostname"
# Without netbase there is no /etc/hosts: localhost would not resolve.
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsgw-systest\n::1\tlocalhost ip6-localhost\n' >"$etc/hosts"
# A machine id of its own: no first-boot setup (systemd-firstboot would ask
# on the console).
echo 5c0a7e0fd00d4a55b0f0c0ffee5e1f00 >"$etc/machine-id"
cat >"$etc/fstab" <<'FSTAB'
LABEL=sgw-root / ext4 rw,errors=remount-ro 0 0
LABEL=sgw-payload /systest ext4 ro 0 0
FSTAB
mkdir -p "$root/systest"
# The kernel's modules (those the tests load) come with the payload too.
rm -rf "$root/usr/lib/modules"
ln -s /systest/modules "$root/usr/lib/modules"

# The serial console carries the test runner's lines only: no getty, no
# timers that would start apt or dpkg behind the tests' back.
for u in serial-getty@ttyAMA0.service getty.target apt-daily.timer \
	apt-daily-upgrade.timer dpkg-db-backup.timer fstrim.timer e2scrub_all.timer; do
	ln -sf /dev/null "$unit/$u"
done

cat >"$unit/systest.service" <<'UNIT'
[Unit]
Description=sensorgw system test
Documentation=file:///systest/guest/run.sh
After=multi-user.target
RequiresMountsFor=/systest
# Forced: nothing of this machine is kept (its disk is a QEMU snapshot),
# and stopping every unit under emulation only costs time.
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/systest/guest/run.sh
# Straight to the serial console: the host reads the runner's lines there.
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyAMA0
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$unit/multi-user.target.wants"
ln -sf ../systest.service "$unit/multi-user.target.wants/systest.service"
ln -sf /usr/lib/systemd/system/multi-user.target "$unit/default.target"
