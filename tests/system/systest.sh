#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The system test: sensorgw's arm64 Debian package installed on Debian
# trixie arm64 under qemu-system-aarch64 (-M virt -cpu cortex-a72, TCG),
# systemd as PID 1, with real kernel devices: a BME280 on the kernel's
# i2c-stub (/dev/i2c-0) and the virt machine's PL061 GPIO line 3, which QEMU
# pulses when it is asked to power down.  Everything comes from Debian's
# archive; nothing arm64 is installed on the host.
#
#   tests/system/systest.sh [--deb FILE | --src DIR] [--work DIR]
#
#   --deb FILE   test this arm64 package instead of building one
#   --src DIR    build the package from the source tree DIR (default: this one)
#   --work DIR   work files and caches (default ${TMPDIR:-/var/tmp}/sensorgw-systest)
#
# Phases, each timed: image (the root file system, mmdebstrap; cached;
# built while the next three run), kernel (trixie's arm64 kernel and an
# initramfs; cached per version), module (i2c-stub built out of tree;
# cached per version), deb (cross-built in a trixie chroot; cached per
# source tree), payload (the second disk: packages, modules, the guest's
# runner), boot (QEMU's start to the runner's first line), tests (the
# runner's checks) and poweroff.  The runner prints one "ok" or "FAIL"
# line per check; this script exits 1 on any failure.
#
# Needs root, the host packages "./dev systest" installs and qemu-aarch64
# registered in binfmt_misc (mmdebstrap runs arm64 maintainer scripts).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src_top=$(cd "$here/../.." && pwd)
work=${TMPDIR:-/var/tmp}/sensorgw-systest
deb=
suite=trixie
mirror=http://deb.debian.org/debian
jobs=$(nproc 2>/dev/null || echo 2)
# The guest's packages besides the Essential set: systemd, the broker and
# its clients (the checks' MQTT side), i2c-tools (loads the registers),
# gpiod (gpioinfo) and the package's run-time dependencies, for the guest
# has no network to fetch them.  procps (kill, ps) is not Essential but
# "important": every Debian and Raspberry Pi OS system has it, so the guest
# does too; a unit that needs it without saying so is a check of its own.
image_pkgs=systemd-sysv,udev,kmod,apt,passwd,procps,mosquitto,mosquitto-clients,i2c-tools,gpiod
image_pkgs+=,libpaho-mqtt1.3,libgpiod3,libinih1,libi2c0
# The modules the initramfs loads to mount the root disk.
initrd_mods=(virtio_mmio virtio_blk ext4)
# Modules of the guest (besides the i2c-stub built here).
guest_mods=(i2c_dev)
# The guest gets this long before the run counts as hung.
boot_timeout=1500

times=()
say() { printf '\033[1m==> [%ss] %s\033[0m\n' "$SECONDS" "$*" >&2; }
die() { printf 'systest: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--deb) deb=$(realpath "${2:?--deb needs a file}"); shift 2 ;;
	--src) src_top=$(cd "${2:?--src needs a directory}" && pwd); shift 2 ;;
	--work) work=${2:?--work needs a directory}; shift 2 ;;
	*) sed -n '11,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64 ;;
	esac
done
[ "$(id -u)" = 0 ] || die "run as root (./dev systest)"
[ -z "$deb" ] || [ -f "$deb" ] || die "no such package: $deb"
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
	die "qemu-aarch64 is not registered in binfmt_misc (./dev systest does it)"
mkdir -p "$work"
work=$(cd "$work" && pwd)

# phase NAME COMMAND...: run one phase and keep its time.
phase() {
	local name=$1 t0=$SECONDS
	shift
	say "$name"
	"$@"
	times+=("$name $((SECONDS - t0))s")
}

# key FILE...: a short hash of the files and of the words on stdin.
key() {
	{ cat; cat "$@"; } | sha256sum | cut -c1-16
}

# The trixie archive through an apt configuration of its own: the host's
# package state is not looked at and nothing gets installed.
apt_opts=()
trixie_apt() {
	local d=$work/apt
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		>"$d/sources.list"
	apt_opts=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache"
		-o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root
		-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o APT::Architectures::=amd64)
	apt-get "${apt_opts[@]}" -qq update
}

# ------------------------------------------------------------------ image

root_img=
image_path() {
	local k

	k=$(echo "$suite $mirror $image_pkgs" | key "$here/essential-hook.sh" "$here/customize-hook.sh")
	root_img=$work/image/root-$k.img
}

# image: make $root_img.  Runs beside the kernel, module and deb phases
# (its arm64 maintainer scripts keep one core busy under qemu-user).
image() {
	local tree log=$work/image.log

	rm -rf "$work/image"
	mkdir -p "$work/image"
	tree=$work/image/tree
	mmdebstrap --mode=root --arch=arm64 --variant=essential \
		--aptopt='APT::Install-Recommends "false"' --include="$image_pkgs" \
		--essential-hook="$here/essential-hook.sh \"\$1\"" \
		--customize-hook="$here/customize-hook.sh \"\$1\"" \
		"$suite" "$tree" "$mirror" >"$log" 2>&1 ||
		{ tail -30 "$log"; die "mmdebstrap failed (log: $log)"; }
	truncate -s 1G "$root_img.part"
	mke2fs -q -t ext4 -L sgw-root -d "$tree" "$root_img.part"
	mv "$root_img.part" "$root_img"
	rm -rf "$tree"
}

# ------------------------------------------------------------------ kernel

kver='' kdir='' initrd_img=''
kernel() {
	local x debs base

	trixie_apt
	kver=$(apt-cache "${apt_opts[@]}" depends linux-image-arm64 |
		sed -n 's/^ *Depends: linux-image-\(.*-arm64\)$/\1/p' | head -1)
	[ -n "$kver" ] || die "no arm64 kernel in $suite"
	kdir=$work/kernel/$kver
	if [ -f "$kdir/kernel.done" ]; then
		say "kernel $kver: cached"
		initrd
		return
	fi
	rm -rf "$work/kernel"
	mkdir -p "$kdir/debs"
	base=${kver%-arm64}
	# busybox-static makes the initramfs; libc6:amd64 carries the loader
	# that runs trixie's modpost (it needs glibc 2.38, bookworm has 2.36).
	(cd "$kdir/debs" && apt-get "${apt_opts[@]}" -qq download \
		"linux-image-$kver" "linux-headers-$kver" "linux-headers-$base-common" \
		"linux-kbuild-${base}:amd64" "linux-source-${base%.*+*}" \
		busybox-static:arm64 libc6:amd64)
	x=$kdir/x
	mkdir -p "$x" "$kdir/glibc"
	for debs in "$kdir"/debs/linux-image-* "$kdir"/debs/linux-headers-* \
		"$kdir"/debs/linux-kbuild-* "$kdir"/debs/busybox-static_*; do
		dpkg-deb -x "$debs" "$x"
	done
	dpkg-deb -x "$kdir"/debs/libc6_*_amd64.deb "$kdir/glibc"
	cp "$x/boot/vmlinuz-$kver" "$kdir/vmlinuz"
	# The unpacked tree's lib/modules is usr/lib/modules: -b usr.
	depmod -b "$x/usr" "$kver"
	touch "$kdir/kernel.done"
	initrd
}

# The initramfs: busybox, its /init and the modules that mount the root disk.
initrd() {
	local x=$kdir/x ir=$kdir/initrd m path seen=" " k

	k=$(echo "${initrd_mods[*]}" | key "$here/initrd-init")
	if [ -f "$kdir/initrd-$k.img" ]; then
		initrd_img=$kdir/initrd-$k.img
		return
	fi
	rm -rf "$ir" "$kdir"/initrd-*.img
	mkdir -p "$ir/bin" "$ir/dev" "$ir/proc" "$ir/sys" "$ir/modules"
	mknod "$ir/dev/console" c 5 1
	cp "$x/usr/bin/busybox" "$ir/bin/busybox"
	ln -s busybox "$ir/bin/sh"
	cp "$here/initrd-init" "$ir/init"
	: >"$ir/modules/order"
	for m in "${initrd_mods[@]}"; do
		while read -r _ path; do
			case $seen in *" $path "*) continue ;; esac
			seen+="$path "
			unxz -c "$path" >"$ir/modules/$(basename "$path" .xz)"
			basename "$path" .xz >>"$ir/modules/order"
		done < <(modprobe -d "$x/usr" -S "$kver" --show-depends "$m" | grep '^insmod ')
	done
	initrd_img=$kdir/initrd-$k.img
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd_img"
}

# ------------------------------------------------------------------ module

# i2c-stub is not built in Debian's kernel: its source comes from trixie's
# linux-source at each build (never kept here) and is built with bookworm's
# cross compiler against the unpacked headers.  The headers name gcc-14 and
# absolute /usr/src paths; options that bookworm's gcc-12 lacks are turned
# off on the make line.
module() {
	local x=$kdir/x stub=$kdir/stub hdr mp gm

	if [ -f "$kdir/module.done" ]; then
		say "i2c-stub for $kver: cached"
		return
	fi
	rm -rf "$stub"
	mkdir -p "$stub"
	dpkg-deb --fsys-tarfile "$kdir"/debs/linux-source-*.deb |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$stub" --strip-components=3 --wildcards '*/drivers/i2c/i2c-stub.c'
	echo 'obj-m := i2c-stub.o' >"$stub/Kbuild"
	hdr=$x/usr/src/linux-headers-$kver
	sed -i "s|^include /usr/src/|include $x/usr/src/|" "$hdr/Makefile"
	mp=$(dirname "$(readlink -f "$hdr/scripts/mod/modpost")")
	if [ ! -e "$mp/modpost.real-lsb-64.bin" ]; then
		mv "$mp/modpost.real-lsb-64" "$mp/modpost.real-lsb-64.bin"
		printf '#!/bin/sh\nexec %s --library-path %s %s "$@"\n' \
			"$kdir/glibc/usr/lib64/ld-linux-x86-64.so.2" \
			"$kdir/glibc/usr/lib/x86_64-linux-gnu" "$mp/modpost.real-lsb-64.bin" \
			>"$mp/modpost.real-lsb-64"
		chmod +x "$mp/modpost.real-lsb-64"
	fi
	make -s -C "$hdr" M="$stub" CC=aarch64-linux-gnu-gcc \
		CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT= CONFIG_DEBUG_INFO_BTF_MODULES= \
		-j"$jobs" modules >"$kdir/module.log" 2>&1 ||
		{ cat "$kdir/module.log"; die "building i2c-stub failed"; }

	# The guest's module tree: the modules it loads, depmod'ed here.
	gm=$kdir/guest-modules/lib/modules/$kver
	rm -rf "$kdir/guest-modules"
	mkdir -p "$gm/extra"
	cp "$x/usr/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$gm/"
	for m in "${guest_mods[@]}"; do
		modprobe -d "$x/usr" -S "$kver" --show-depends "$m" | while read -r w path; do
			[ "$w" = insmod ] || continue
			mkdir -p "$gm/$(dirname "${path#"$x/usr/lib/modules/$kver/"}")"
			cp "$path" "$gm/${path#"$x/usr/lib/modules/$kver/"}"
		done
	done
	cp "$stub/i2c-stub.ko" "$gm/extra/"
	depmod -b "$kdir/guest-modules" "$kver"
	touch "$kdir/module.done"
}

# ------------------------------------------------------------------ deb

# The package of this tree, cross-built for arm64 in a trixie chroot made
# with the build dependencies of debian/control (kept while that file and
# the suite stay the same); the test suite runs elsewhere (nocheck).
deb_build_log=
build_deb() {
	local k broot src skey

	if [ -n "$deb" ]; then
		say "package: $deb"
		return
	fi
	k=$(echo "$suite $mirror" | key "$src_top/debian/control")
	broot=$work/buildroot-$k
	if [ ! -f "$broot/.done" ]; then
		rm -rf "$work"/buildroot-*
		mmdebstrap --mode=root --variant=buildd --architectures=amd64,arm64 \
			--include=crossbuild-essential-arm64 \
			--customize-hook='mkdir -p "$1/build/src/debian"' \
			--customize-hook="copy-in $src_top/debian/control /build/src/debian" \
			--customize-hook='chroot "$1" apt-get -y -q -o APT::Install-Recommends=false build-dep -a arm64 -P nocheck /build/src' \
			--customize-hook='chroot "$1" apt-get clean' \
			"$suite" "$broot" "$mirror" >"$work/buildroot.log" 2>&1 ||
			{ tail -30 "$work/buildroot.log"; die "the build chroot failed (log: $work/buildroot.log)"; }
		touch "$broot/.done"
	fi

	src=$broot/build/src
	rm -rf "$broot/build"
	mkdir -p "$src"
	# The tree as it is, edits included, without build products.
	if git -C "$src_top" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$src_top" && git ls-files -z -co --exclude-standard | xargs -0 -r ls -d 2>/dev/null | tr '\n' '\0') |
			tar -C "$src_top" --null -T - -cf - | tar -C "$src" -xf -
	else
		tar -C "$src_top" --exclude='./build*' -cf - . | tar -C "$src" -xf -
	fi
	skey=$(cd "$src" && find . -type f -print0 | sort -z | xargs -0 sha256sum | key)
	if [ -f "$work/deb/$skey.done" ]; then
		deb=$(cat "$work/deb/$skey.done")
		say "package: cached ($deb)"
		return
	fi
	deb_build_log=$work/deb-build.log
	unshare --mount --propagation private sh -c '
		mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" &&
		chroot "$1" sh -c "cd /build/src && DEB_BUILD_OPTIONS=\"nocheck parallel=$2\" \
			dpkg-buildpackage -a arm64 -B -us -uc -Pnocheck"' sh "$broot" "$jobs" \
		>"$deb_build_log" 2>&1 ||
		{ tail -40 "$deb_build_log"; die "the package did not build (log: $deb_build_log)"; }
	rm -rf "$work/deb"
	mkdir -p "$work/deb"
	cp "$broot"/build/sensorgw_*_arm64.deb "$work/deb/"
	deb=$(ls "$work"/deb/sensorgw_*_arm64.deb)
	echo "$deb" >"$work/deb/$skey.done"
}

# ------------------------------------------------------------------ payload

# The second disk (/systest in the guest): the package, a newer version of
# it (the same files, the version raised, for the upgrade check), the
# modules, the register image and the guest's runner.
payload_img=
payload() {
	local p=$work/payload t ver

	rm -rf "$p"
	mkdir -p "$p/tree/debs" "$p/repack"
	t=$p/tree
	cp -r "$here/guest" "$t/guest"
	cp "$here/bme280.regs" "$t/"
	cp -a "$kdir/guest-modules/lib/modules" "$t/modules"
	cp "$deb" "$t/debs/"
	dpkg-deb -R "$deb" "$p/repack"
	ver=$(dpkg-deb -f "$deb" Version)
	sed -i "s/^Version: .*/Version: $ver+systest1/" "$p/repack/DEBIAN/control"
	dpkg-deb -Zgzip -b "$p/repack" "$t/debs/upgrade.deb" >/dev/null
	cp "$t/debs/$(basename "$deb")" "$t/debs/install.deb"
	rm "$t/debs/$(basename "$deb")"
	payload_img=$p/payload.img
	truncate -s "$(($(du -sm "$t" | cut -f1) + 32))M" "$payload_img"
	mke2fs -q -t ext4 -L sgw-payload -d "$t" "$payload_img"
}

# ------------------------------------------------------------------ boot

# qmp COMMAND: one command to QEMU's QMP socket.
qmp() {
	python3 - "$run/qmp.sock" "$1" <<-'PY'
	import json, socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.connect(sys.argv[1])
	f = s.makefile("rw")
	f.readline()
	for cmd in ("qmp_capabilities", sys.argv[2]):
	    f.write(json.dumps({"execute": cmd}) + "\n")
	    f.flush()
	    while True:
	        r = json.loads(f.readline())
	        if "return" in r or "error" in r:
	            break
	if "error" in r:
	    sys.exit(r["error"].get("desc", "QMP error"))
	PY
}

# console: the guest's serial console line by line: all of it to
# console.log, the runner's lines to stdout, and a GPIO pulse (QMP
# system_powerdown: the PL061's line 3 high for 100 ms) when it asks.
# Once the runner is done the guest powers itself off; a guest still up
# $poweroff_timeout seconds later is stopped through QMP, so that a hang on
# the way down costs that long, not the whole $boot_timeout.
poweroff_timeout=120
console() {
	local line rc wait=

	while :; do
		# shellcheck disable=SC2086,SC2229 # $wait: empty or "-t SECONDS"
		IFS= read -r $wait line || {
			rc=$?
			[ "$rc" -gt 128 ] || break # end of file: QEMU is gone
			echo "# the guest did not power off within ${poweroff_timeout}s: QEMU told to quit" |
				tee -a "$run/console.log"
			qmp quit || true
			wait=
			continue
		}
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$run/console.log"
		case $line in
		'systest: pulse'*)
			qmp system_powerdown || echo "FAIL QMP system_powerdown"
			;;
		'systest: runner up'*)
			printf '%s\n' "$line"
			echo "$SECONDS" >"$run/t_up"
			;;
		'systest: done'*)
			printf '%s\n' "$line"
			echo "$SECONDS" >"$run/t_done"
			wait="-t $poweroff_timeout"
			;;
		'ok '* | 'FAIL '* | 'systest: '* | '# '*)
			printf '%s\n' "$line"
			;;
		esac
	done
}

run=
boot() {
	run=$work/run
	rm -rf "$run"
	mkdir -p "$run"
	: >"$run/console.log"
	timeout -k 10 "$boot_timeout" qemu-system-aarch64 -M virt -cpu cortex-a72 -m 1024 -smp 2 \
		-kernel "$kdir/vmlinuz" -initrd "$initrd_img" \
		-append "console=ttyAMA0 quiet panic=-1 modprobe.blacklist=gpio_keys systemd.show_status=false" \
		-drive file="$root_img",format=raw,if=none,id=root,snapshot=on \
		-device virtio-blk-device,drive=root \
		-drive file="$payload_img",format=raw,if=none,id=payload,readonly=on \
		-device virtio-blk-device,drive=payload \
		-nic none -no-reboot -display none -monitor none -serial stdio \
		-qmp unix:"$run/qmp.sock",server=on,wait=off \
		</dev/null 2>"$run/qemu.err" | console
}

# ------------------------------------------------------------------ main

# stop_image: a phase that failed ends the script, and the image's
# mmdebstrap (which unmounts what it mounted when told to stop) with it.
stop_image() {
	[ -n "$image_pid" ] || return 0
	pkill -TERM -P "$image_pid" 2>/dev/null || true
	kill "$image_pid" 2>/dev/null || true
	wait "$image_pid" 2>/dev/null || true
}

image_path
image_pid=
if [ -f "$root_img" ]; then
	say "root file system: cached ($root_img)"
	times+=("image 0s")
else
	say "image (in the background)"
	image_t0=$SECONDS
	image >"$work/image.out" 2>&1 &
	image_pid=$!
	trap stop_image EXIT
fi
phase kernel kernel
phase module module
phase deb build_deb
if [ -n "$image_pid" ]; then
	say "waiting for the root file system"
	wait "$image_pid" || { image_pid=; cat "$work/image.out"; die "the root file system failed"; }
	image_pid=
	times+=("image $((SECONDS - image_t0))s (beside kernel, module, deb)")
fi
phase payload payload
# boot+tests, split where the runner's first and last lines came: boot
# (QEMU's start to the runner's), tests (the runner's) and poweroff.
say "boot+tests"
boot_t0=$SECONDS
boot
if [ -s "$run/t_up" ] && [ -s "$run/t_done" ]; then
	times+=("boot $(($(cat "$run/t_up") - boot_t0))s"
		"tests $(($(cat "$run/t_done") - $(cat "$run/t_up")))s"
		"poweroff $((SECONDS - $(cat "$run/t_done")))s")
else
	times+=("boot+tests $((SECONDS - boot_t0))s")
fi

say "times: ${times[*]}; total ${SECONDS}s"
printf 'time %s\n' "${times[@]}" "total ${SECONDS}s"
passed=$(grep -c '^ok ' "$run/console.log" || true)
failed=$(grep -c '^FAIL ' "$run/console.log" || true)
if ! grep -q '^systest: done' "$run/console.log"; then
	echo "FAIL the guest's runner did not finish; the console's end:"
	tail -40 "$run/console.log"
	[ ! -s "$run/qemu.err" ] || cat "$run/qemu.err"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
