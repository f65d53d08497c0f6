#!/bin/bash
# Guest-visible sequential read throughput of the -hda disk: a guest reads
# the whole image with PIO, then with bus-master DMA (bench/disk/diskbench.asm),
# timed from the host; also prints the controller-only figures of
# build/ide_throughput.  usage: bench/disk/run_disk.sh [MiB]   (default 64)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mib=${1:-64}
sim=${X86SIM:-$top/build/x86sim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sectors=$((mib * 2048))
head -c $((mib << 20)) /dev/urandom > "$work/hd.img"
for mode in PIO DMA; do
    def=""
    [ $mode = DMA ] && def=-DMODE_DMA
    nasm -f bin -I"$top/tests/guest/" -I"$top/tests/storage/" $def -DSECTORS=$sectors -o "$work/$mode.bin" "$here/diskbench.asm"
    start=$(date +%s.%N)
    out=$("$sim" -bios "$work/$mode.bin" -nographic -debugcon stdio -hda "$work/hd.img" 2>&1)
    end=$(date +%s.%N)
    case "$out" in *DONE*) ;; *) echo "run_disk: $mode run failed: $out"; exit 1 ;; esac
    awk -v m="$mode" -v mib="$mib" -v s="$start" -v e="$end" \
        'BEGIN { t = e - s; printf "guest %-4s %6.1f MB/s  (%d MiB in %.2f s, through the CPU)\n", m, mib * 1.048576 / t, mib, t }'
done
"$top/build/ide_throughput" "$mib"
