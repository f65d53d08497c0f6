#!/bin/bash
# Linux benchmark: boots the default guest (scripts/build-guest.sh: Debian's
# 686 kernel and the busybox initramfs) from its hard-disk image through the
# emulator's own BIOS and SYSLINUX, on x86sim, QEMU (TCG, one thread,
# -cpu pentium2) and Bochs 2.7 in one run, and prints host seconds for:
#   prompt    power-on to the serial shell's prompt
#   md5       dd if=/dev/zero bs=1M count=8 | md5sum         (CPU-bound)
#   loop      a shell arithmetic loop of LOOPS iterations    (CPU-bound)
#   io        dd if=/dev/sdb | md5sum: a 32 MiB second IDE disk read through
#             ata_piix                                       (I/O)
#   poweroff  poweroff -f to the end of the emulator
# each the median of RUNS runs, every result checked against the host's
# (bench/linux/linux_bench.py drives the guest), then the ratios and the
# instructions x86sim retired (--stats) to the prompt and in a whole run.
# All three boot the same way (the disk), at the same guest clock: x86sim
# counts 4 ns per instruction, Bochs is told 250 million instructions per
# second; QEMU's guest clock is the host's.
# usage: bench/run_linux.sh [RUNS] [LOOPS]     (default 1 and 200000)
# Environment: GUEST=DIR (default build/guest, built when missing), X86SIM.
set -eu
source "$(dirname "$0")/common.sh"
runs=${1:-1}
loops=${2:-200000}
guest=${GUEST:-$top/build/guest}

peer_deps vgabios
[ -f "$guest/disk.img" ] || "$top/scripts/build-guest.sh" "$guest" >/dev/null
cp "$guest/disk.img" "$work/disk.img"
# The second disk: random bytes, whole cylinders of 16 heads and 63 sectors
# (Bochs takes a flat image's geometry from its size), about 32 MiB.
head -c $((65 * 16 * 63 * 512)) /dev/urandom >"$work/io.img"

# Bochs's serial port is a pty that linux_bench.py opens and names in place
# of @PTY@.
bochs_config "$work/bochsrc.in" "megs: 256" "cpu: model=p2_klamath, ips=250000000" \
    "romimage: file=/usr/share/bochs/BIOS-bochs-latest" "vgaromimage: file=/usr/share/vgabios/vgabios.bin" \
    "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14" \
    "ata0-master: type=disk, path=$work/disk.img, mode=flat" \
    "ata0-slave: type=disk, path=$work/io.img, mode=flat" \
    "boot: disk" "com1: enabled=1, mode=term, dev=@PTY@"

command_for() { # emulator
    case $1 in
    x86sim) cmd=("$sim" -nographic -m 256 -hda "$work/disk.img" -hdb "$work/io.img" -snapshot --stats) ;;
    qemu) cmd=(qemu-system-i386 -accel tcg,thread=single -cpu pentium2 -m 256 -display none -serial stdio
               -monitor none -net none -drive "file=$work/disk.img,format=raw,if=ide,index=0,snapshot=on"
               -drive "file=$work/io.img,format=raw,if=ide,index=1,snapshot=on") ;;
    bochs) cmd=(bochs -q -f "$work/bochsrc" -rc "$work/bochsrc.in.rc") ;;
    esac
}

# median of the numbers on standard input
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

phases="prompt md5 loop io poweroff total"
declare -A result
echo "Linux benchmark: $(cat "$guest/kernel-version"), disk boot, $runs run(s) each, loop of $loops"
printf '%-8s' ""
for p in $phases; do printf '%10s' "$p"; done
echo
for emu in x86sim qemu bochs; do
    command_for $emu
    : >"$work/times"
    for ((r = 1; r <= runs; r++)); do
        rm -f "$work"/*.img.lock # Bochs leaves its image locks behind when it is terminated
        out=$(python3 "$here/linux/linux_bench.py" $emu "$work" "$loops" -- "${cmd[@]}") || {
            echo "$emu: run $r failed:"; echo "$out"; exit 1; }
        echo "$out" | grep '^prompt=' >>"$work/times"
        [ $emu = x86sim ] && echo "$out" | grep -o '[0-9]* instructions retired.*' >"$work/x86sim-stats"
    done
    printf '%-8s' $emu
    for p in $phases; do
        result[$emu.$p]=$(grep -o "$p=[0-9.]*" "$work/times" | cut -d= -f2 | median)
        printf '%10s' "${result[$emu.$p]}"
    done
    echo
done
for peer in qemu bochs; do
    printf '%-8s' "/$peer"
    for p in $phases; do
        printf '%10s' "$(awk -v x="${result[x86sim.$p]}" -v y="${result[$peer.$p]}" 'BEGIN { printf "%.2f", x / y }')"
    done
    echo "   (x86sim time / $peer time)"
done

# The instructions to the prompt: one more x86sim boot that stops there.
to_prompt=$("$sim" -nographic -m 256 -hda "$work/disk.img" -snapshot --stats --stop-on-serial 'x86sim:/# ' \
    </dev/null 2>&1 >/dev/null | grep -o '[0-9]* instructions retired.*')
echo "x86sim to the prompt: $to_prompt"
echo "x86sim whole run (last): $(cat "$work/x86sim-stats")"
