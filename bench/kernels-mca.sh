#!/bin/sh
# SPDX-License-Identifier: MIT
# Cycles and instructions per sample of every kernel: the AArch64 assembly
# against the C reference built with aarch64-linux-gnu-gcc -O2 -mcpu=CPU,
# for cortex-a72 (Raspberry Pi 4) and cortex-a76 (Raspberry Pi 5).
# pack_json is the batch packer against the JSON writer (src/message/json.c)
# writing the same readings, the C it replaced in sgw_payload_json_batch().
#
# Method (the same for both implementations, so branches, loop tails and
# data-dependent paths count as they really run): bench/kernels_bench.c
# runs one kernel over N samples of sensor-like data; qemu-aarch64 in
# single-step mode logs every executed instruction's address; the
# instructions executed inside the kernel's own code and the functions it
# calls (the C packer calls the C number formatter, the JSON writer its own
# functions) during the measured call form the dynamic trace: everything
# between the two marks but the driving code in main() and bench_mark()
# itself.  Its length / N is "instructions per sample"; llvm-mca-14
# schedules that trace (straight-line, as executed) on the CPU model, and
# total cycles / N is "cycles per sample".  llvm-mca assumes
# perfect branch prediction and caches: an estimate, not a measurement.
#
#     bench/kernels-mca.sh [N [KERNEL...]]  (default N = 256, every kernel;
#                                           output in bench/out/)
# Needs gcc-aarch64-linux-gnu, qemu-user, llvm-14, /usr/bin/python3.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-256}
[ $# -gt 0 ] && shift
out=$srcdir/bench/out
mkdir -p "$out"
MCA=${MCA:-llvm-mca-14}
OBJDUMP=${OBJDUMP:-llvm-objdump-14}
CC=${CC_AARCH64:-aarch64-linux-gnu-gcc}
kernels=${*:-"ema sma16 median5 median15 biquad calib delta fmt_fixed crc32c pack_batch pack_json"}

sym_of() {	# kernel impl -> function symbol
	case $1 in
	sma16) base=sma_run ;;
	median5|median15) base=median_run ;;
	fmt_fixed) base=fmt_fixed ;;
	pack_batch) base=pack_batch ;;
	pack_json) [ "$2" = ref ] && { echo writer_batch; return; }; base=pack_batch ;;
	crc32c) base=crc32c ;;
	*) base=${1}_run ;;
	esac
	if [ "$2" = ref ]; then echo "sgw_ref_$base"
	elif [ "$1" = crc32c ]; then echo sgw_crc32c_armv8
	else echo "sgw_$base"; fi
}

printf '%-10s %-11s %12s %12s %12s %12s %7s\n' kernel cpu "asm cyc/s" "C cyc/s" "asm ins/s" "C ins/s" "C/asm"
for cpu in cortex-a72 cortex-a76; do
	bin=$out/kernels_bench-$cpu
	# shellcheck disable=SC2086
	$CC -O2 -mcpu=$cpu -static -DSGW_ASM_AARCH64=1 -I"$srcdir" -I"$srcdir/src" -o "$bin" \
		"$srcdir/bench/kernels_bench.c" "$srcdir/src/message/json.c" \
		$(for k in crc32c fmt_fixed ema sma median biquad calib delta pack_batch; do
			printf '%s ' "$srcdir/asm/generic/$k.c" "$srcdir/asm/aarch64/$k.S"; done)
	$OBJDUMP -d --no-show-raw-insn --mcpu="$cpu" "$bin" >"$bin.dis"
	for k in $kernels; do
		line="$k $cpu"
		for impl in asm ref; do
			sym=$(sym_of "$k" "$impl")
			trace=$out/trace-$k-$impl-$cpu
			qemu-aarch64 -singlestep -d exec,nochain -D "$trace.log" "$bin" "$k" "$impl" "$n" >/dev/null
			/usr/bin/python3 - "$bin.dis" "$trace.log" "$sym" >"$trace.s" <<'PY'
import re, sys
dis, log, sym = sys.argv[1:]
# insn: address -> instruction; owner: address -> function.
insn, owner, cur, seen = {}, {}, None, False
for l in open(dis):
    m = re.match(r'^([0-9a-f]+) <(.+)>:$', l)
    if m:
        cur = m.group(2)
        seen |= cur == sym
        continue
    m = re.match(r'^\s+([0-9a-f]+):\s+(.*)$', l)
    if m:
        a = int(m.group(1), 16)
        # Branch and adrp targets print as "0x4016e4 <sym+0x4>": llvm-mca
        # only needs an operand it can parse, so make them ".".
        t = m.group(2).split('//')[0].strip()
        insn[a] = re.sub(r'0x[0-9a-f]+ <[^>]*>', '.', t)
        owner[a] = cur
marks, body, inside = 0, [], False
for l in open(log):
    m = re.match(r'^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/', l)
    if not m:
        continue
    if l.rstrip().endswith(' bench_mark'):
        marks += 1
        if marks == 2:
            break
        continue
    # One block per line (single-step): the kernel, its callees, or the
    # driver around them, which is not counted.
    a = int(m.group(1), 16)
    f = owner.get(a)
    if marks == 1 and f not in ('main', 'bench_mark'):
        inside |= f == sym
        body.append(insn[a])
if marks != 2 or not body or not seen or not inside:
    sys.exit("no trace for %s" % sym)
print("\n".join(body))
PY
			ins=$(wc -l <"$trace.s")
			$MCA -mtriple=aarch64-linux-gnu -mcpu="$cpu" -iterations=1 "$trace.s" \
				>"$trace.mca" 2>"$trace.err" || true
			cyc=$(awk '/^Total Cycles:/ {print $3}' "$trace.mca")
			if [ -z "$cyc" ] || grep -q 'error:' "$trace.err"; then
				cat "$trace.err" >&2
				echo "kernels-mca: llvm-mca failed on $trace.s" >&2
				exit 1
			fi
			rm -f "$trace.log"
			eval "${impl}_ins=$ins ${impl}_cyc=$cyc"
		done
		# shellcheck disable=SC2154
		awk -v k="$k" -v c="$cpu" -v n="$n" -v ac="$asm_cyc" -v rc="$ref_cyc" \
			-v ai="$asm_ins" -v ri="$ref_ins" 'BEGIN {
			printf "%-10s %-11s %12.2f %12.2f %12.2f %12.2f %6.2fx\n",
				k, c, ac / n, rc / n, ai / n, ri / n, rc / ac }'
	done
done
echo "N = $n samples per kernel (crc32c: bytes; fmt_fixed: numbers, scale 3, precision 2;"
echo "pack_batch: readings, bench/kernels_bench.c's pack_items())"
