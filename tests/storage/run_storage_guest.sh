#!/bin/sh
# Runs storage_guest.asm's ROM with disks made here by mkfs.fat, mtools and
# xorriso, then checks the image files: the guest's sector write landed in
# the hard disk image (and, with -snapshot, did not).
# usage: run_storage_guest.sh X86SIM ROM
set -u
sim=$1 rom=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfs.fat -C "$work/hd.img" 4096 >/dev/null || exit 1
mkfs.fat -C "$work/fd.img" 1440 >/dev/null || exit 1
mkdir "$work/iso" && echo hello >"$work/iso/HELLO.TXT"
xorriso -as mkisofs -quiet -o "$work/cd.iso" "$work/iso" 2>/dev/null || exit 1
sector100() { dd if="$1" bs=512 skip=100 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n' | head -c 8; }
before=$(sector100 "$work/hd.img")

for mode in snapshot write; do
    extra=""
    [ $mode = snapshot ] && extra=-snapshot
    out=$("$sim" -bios "$rom" -nographic -debugcon stdio --max-insns 200000000 \
          -hda "$work/hd.img" -cdrom "$work/cd.iso" -fda "$work/fd.img" $extra 2>&1)
    status=$?
    printf '%s\n' "$out"
    [ $status -eq 0 ] || { echo "run_storage_guest: x86sim exited with status $status ($mode)"; exit 1; }
    case "$out" in *FAIL*) exit 1 ;; *PASS*) ;; *) echo "run_storage_guest: no PASS line"; exit 1 ;; esac
    after=$(sector100 "$work/hd.img")
    if [ $mode = snapshot ] && [ "$after" != "$before" ]; then
        echo "run_storage_guest: -snapshot wrote the image file (sector 100: $after)"; exit 1
    fi
    if [ $mode = write ] && [ "$after" != "5aa55aa5" ]; then
        echo "run_storage_guest: the guest's write is not in the image (sector 100: $after)"; exit 1
    fi
done
echo "run_storage_guest: image checks passed"
