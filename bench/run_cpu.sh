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

echo "CPU benchmark: $iters iterations, about $((insns / 1000000)) million instructions"
rom_on_every_emulator "$work/bench.bin" "$expect" "$insns"
echo "target: x86sim time / Bochs time <= 0.25"
