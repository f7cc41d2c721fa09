#!/bin/sh
# SPDX-License-Identifier: MIT
# mmdebstrap --essential-hook for the guest's root file system: runs after
# the Essential packages are unpacked, before the others.  dpkg leaves out
# udev's hardware database (compiling it under qemu-user takes ~40 s and
# virtio devices need none of it) and the documentation.
set -eu
root=$1
cat >"$root/etc/dpkg/dpkg.cfg.d/systest-excludes" <<'CFG'
path-exclude=/usr/lib/udev/hwdb.d/*
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
CFG
