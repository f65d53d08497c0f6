#!/bin/bash
# x87 benchmark: runs bench/fpu/fpubench.asm (a real-mode loop, 10 of its 14
# instructions x87) on x86sim, Bochs and QEMU (TCG, one thread), checks each
# checksum against the host x87's (bench/fpu/fpubench_ref.c) and prints the
# times and ratios.
# usage: bench/run_fpu.sh [ITERATIONS]      (default 5000000)
set -eu
source "$(dirname "$0")/common.sh"
iters=${1:-5000000}

peer_deps
nasm -f bin -DITERATIONS="$iters" -o "$work/fpu.bin" "$here/fpu/fpubench.asm"
cc -O2 -o "$work/ref" "$here/fpu/fpubench_ref.c"
expect=$("$work/ref" "$iters")
echo "x87 benchmark: $iters iterations, $((iters * 14 / 1000000)) million instructions"
rom_on_every_emulator "$work/fpu.bin" "$expect" "$((iters * 14))"
