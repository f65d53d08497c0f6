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
bochs_config "$work/bochsrc" "romimage: file=$work/fpu.bin" "megs: 16"

echo "x87 benchmark: $iters iterations, $((iters * 14 / 1000000)) million instructions"
for emu in x86sim bochs qemu; do
    case $emu in
    x86sim) cmd=("$sim" -bios "$work/fpu.bin" -nographic -debugcon stdio) ;;
    bochs) cmd=(bochs -q -f "$work/bochsrc" -rc "$work/bochsrc.rc") ;;
    qemu) cmd=(qemu-system-i386 -accel tcg,thread=single -bios "$work/fpu.bin" -display none
               -debugcon stdio -device isa-debug-exit,iobase=0x501,iosize=2) ;;
    esac
    t0=$(now)
    got=$("${cmd[@]}" 2>&1 | grep -ao 'CHECKSUM [01]*' | tail -1 | cut -d' ' -f2 || true)
    t=$(seconds_since "$t0")
    eval "secs_$emu=$t"
    verdict="checksum OK"
    [ "$got" = "$expect" ] || verdict="CHECKSUM WRONG (got '$got', want $expect)"
    printf '%-8s %7s s  %s\n' "$emu" "$t" "$verdict"
done
awk -v x="$secs_x86sim" -v b="$secs_bochs" -v q="$secs_qemu" 'BEGIN {
    printf "x86sim time / Bochs time = %.2f\nx86sim time / QEMU time  = %.2f\n", x / b, x / q }'
