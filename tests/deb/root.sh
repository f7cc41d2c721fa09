# SPDX-License-Identifier: MIT
# Sourced by tests/deb/*.sh: a private copy of a Debian root file system to
# work in, commands in it, and the time of each phase.
#
#   root_make ROOTFS NAME  copy ROOTFS to a new directory under /var/tmp,
#                          mount /proc, name servers, no daemon starts;
#                          $work is that directory, $root the copy; the
#                          copy goes at exit (KEEP=1 keeps it)
#   in_root CMD...         CMD in the copy, in a clean environment
#   root_release           the copy's release name (bookworm, trixie)
#   phase NAME             "== NAME", and the time of the phase before
#   phase_end              the time of the last phase
#   root_hooks             commands run at exit before the copy goes

work=
root=
root_hooks=()

phase_start=$SECONDS
phase_name=
phase_end() {
	[ -n "$phase_name" ] && printf '== %s: %ss\n' "$phase_name" "$((SECONDS - phase_start))"
	phase_name=
}
phase() {
	phase_end
	phase_name=$1
	phase_start=$SECONDS
	printf '== %s\n' "$phase_name"
}

# An array, not only a function, so that a daemon started with it in the
# background has $! as its own PID (chroot and env exec it).
in_root_cmd=()
in_root() { "${in_root_cmd[@]}" "$@"; }

root_release() {
	# shellcheck source=/dev/null
	(. "$root/etc/os-release" && echo "$VERSION_CODENAME")
}

root_cleanup() {
	local p h
	for h in "${root_hooks[@]}"; do $h || true; done
	[ -n "$root" ] || return 0
	# Whatever still runs in this root was started here (a package's
	# daemon despite policy-rc.d, a test's server): it goes with the root.
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	for p in dev/pts proc; do
		if mountpoint -q "$root/$p"; then
			umount "$root/$p" || umount -l "$root/$p"
		fi
	done
	# Never remove a tree that still has something mounted in it.
	if grep -q " $root/" /proc/mounts; then
		echo "$0: $root still has mounts; left in place" >&2
	elif [ "${KEEP:-0}" = 1 ]; then
		echo "kept: $root"
	else
		rm -rf "$work"
	fi
}

root_make() {
	work=$(mktemp -d "/var/tmp/$2.XXXXXX")
	root=$work/root
	trap root_cleanup EXIT
	trap 'exit 1' INT TERM
	phase "copy $1"
	cp -a "$1" "$root"
	in_root_cmd=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
	mount -t proc proc "$root/proc"
	# apt logs through a pseudo-terminal, and complains without one.
	mkdir -p "$root/dev/pts"
	mount --bind /dev/pts "$root/dev/pts"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# Packages must not start daemons in the copy (mosquitto's init script).
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	# man-db's index of every manual page costs minutes on a slow machine
	# and nothing here reads it.
	echo 'man-db man-db/auto-update boolean false' | in_root debconf-set-selections
}
