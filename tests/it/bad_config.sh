#!/bin/bash
# SPDX-License-Identifier: MIT
# Every malformed INI under tests/ini/bad makes `sensorgw -n` exit 78 with
# a FILE:LINE message and no crash; every good one prints "configuration OK"
# (and how many warnings it had).
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

n=0
for f in "$top_srcdir"/tests/ini/bad/*.ini; do
	n=$((n + 1))
	$TEST_EMULATOR "$SENSORGW" -n -c "$f" >"$T/out" 2>"$T/err"
	st=$?
	[ $st = 78 ] || { cat "$T/err" >&2; fail "$f: exit $st, expected 78"; }
	grep -q "^$f:[0-9][0-9]*: " "$T/err" || grep -q "^$f: " "$T/err" \
		|| { cat "$T/err" >&2; fail "$f: no FILE:LINE message"; }
	grep -q 'configuration OK' "$T/out" && fail "$f: said configuration OK"
	grep -qi 'sanitizer\|runtime error' "$T/err" && { cat "$T/err" >&2; fail "$f: sanitizer report"; }
done
[ $n -ge 25 ] || fail "only $n bad INI files"
g=0
for f in "$top_srcdir"/tests/ini/good/*.ini "$top_srcdir"/etc/sensorgw.ini "$top_srcdir"/etc/demo.ini; do
	g=$((g + 1))
	out=$($TEST_EMULATOR "$SENSORGW" -n -c "$f" 2>"$T/err") || { cat "$T/err" >&2; fail "$f rejected"; }
	# Warnings (a world-readable secret in the tree) are counted on the OK line.
	w=$(grep -c ': warning: ' "$T/err")
	case $w in
	0) want="configuration OK" ;;
	1) want="configuration OK, 1 warning" ;;
	*) want="configuration OK, $w warnings" ;;
	esac
	[ "$out" = "$want" ] || fail "$f: printed '$out', expected '$want'"
done
# A missing file is an error naming it.
$TEST_EMULATOR "$SENSORGW" -n -c "$T/nope.ini" 2>"$T/err"
[ $? = 78 ] || fail "missing file: exit not 78"
grep -q "$T/nope.ini" "$T/err" || fail "missing file not named"

# What is not a regular file is refused at once, never read: /dev/zero is an
# endless line, a FIFO without a writer never even opens.  A file larger
# than 1 MiB is refused at the line where it passes the limit.
mkfifo "$T/fifo.ini" || fail "mkfifo"
mkdir "$T/dir.ini" || fail "mkdir"
{ printf '[gateway]\nname = big\n'; head -c 2000000 /dev/zero | tr '\0' ';'; echo; } >"$T/big.ini"
for c in "/dev/zero|: a character device" "$T/fifo.ini|: a FIFO" "$T/dir.ini|: a directory" \
	"$T/big.ini|:3: file too large"; do
	f=${c%%|*} want=${c#*|}
	timeout $((20 * SLOW)) $TEST_EMULATOR "$SENSORGW" -n -c "$f" >"$T/out" 2>"$T/err"
	st=$?
	[ $st = 124 ] && fail "$f: still reading after $((20 * SLOW)) s"
	[ $st = 78 ] || { cat "$T/err" >&2; fail "$f: exit $st, expected 78"; }
	grep -q "^$f$want" "$T/err" || { cat "$T/err" >&2; fail "$f: no \"$f$want\" message"; }
done
echo "ok: $n bad, $g good files; a device, a FIFO, a directory and a 2 MB file refused"
