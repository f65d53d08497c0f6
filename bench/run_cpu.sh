#!/bin/bash
# CPU benchmark: runs bench/cpu/cpubench.asm (protected mode, paging, a mixed
# integer loop, REP MOVSD) on x86sim, Bochs and QEMU (TCG, one thread) in one
# run, checks each checksum against the host's, and prints the times and ratios.
# usage: bench/run_cpu.sh [ITERATIONS]      (default 50000000)
# Needs the packages bochs, bochsbios and qemu-system-x86 for the peers (the
# script installs them) and a built x86sim (build/x86sim).
set -eu
source "$(dirname "$0")/common.sh"
iters=${1:-50000000}

peer_deps
nasm -f bin -DITERATIONS="$iters" -o "$work/bench.bin" "$here/cpu/cpubench.asm"
cc -O2 -o "$work/ref" "$here/cpu/cpubench_ref.c"
expect=$("$work/ref" "$iters")
# Instructions per iteration of the loop, counted from the source (REP MOVSD
# counts once): 31.5 on average, plus 7 every 256 iterations.
insns=$(awk -v n="$iters" 'BEGIN { printf "%.0f", n * 31.5 + n / 256 * 7 }')

bochs_config "$work/bochsrc" "megs: 32" "romimage: file=$work/bench.bin"

declare -A secs
run() { # name command...
    local name=$1 out start
    shift
    start=$(now)
    out=$("$@" 2>&1 || true)
    secs[$name]=$(seconds_since "$start")
    local got
    got=$(printf '%s\n' "$out" | grep -ao 'CHECKSUM [0-9a-f]*' | tail -1 | cut -d' ' -f2)
    local ok="checksum OK"
    [ "$got" = "$expect" ] || ok="CHECKSUM WRONG (got '${got}', want $expect)"
    printf '%-8s %8s s  %7.0f MIPS  %s\n' "$name" "${secs[$name]}" \
        "$(awk -v i="$insns" -v s="${secs[$name]}" 'BEGIN { print i / s / 1e6 }')" "$ok"
}

echo "CPU benchmark: $iters iterations, about $((insns / 1000000)) million instructions"
run x86sim "$sim" -bios "$work/bench.bin" -nographic -debugcon stdio
run bochs bochs -q -f "$work/bochsrc" -rc "$work/bochsrc.rc"
run qemu qemu-system-i386 -accel tcg,thread=single -bios "$work/bench.bin" -display none \
    -debugcon stdio -device isa-debug-exit,iobase=0x501,iosize=2
awk -v x="${secs[x86sim]}" -v b="${secs[bochs]}" -v q="${secs[qemu]}" 'BEGIN {
    printf "x86sim time / Bochs time = %.3f (target <= 0.25)\n", x / b
    printf "x86sim time / QEMU time  = %.2f\n", x / q }'
