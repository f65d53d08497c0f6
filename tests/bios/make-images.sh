#!/bin/bash
# Builds the disk images the BIOS tests boot, without root: NASM for our
# test programs; mtools, syslinux's mtools-based installer, sfdisk on image
# files, grub-mkimage and xorriso for the real boot loaders.
#
# usage: make-images.sh OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
cd "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

asm() {  # asm SOURCE OUTPUT
    nasm -f bin -I"$here/" -o "$2" "$here/$1"
}
floppy() {  # floppy IMAGE: pad to a 1.44 MB disk
    truncate -s 1474560 "$1"
}

# ---- the boot-sector tests
for t in system video vbe keyboard fpu; do
    asm $t.asm $t.img
    floppy $t.img
done
asm disk.asm disk.img                       # (already 1.44 MB: it carries its pattern)
# the hard disk it reads: 1 GiB (LBA-assisted translation), pattern blocks
python3 "$here/mkdisk.py" disk-hd.img 1073741824 512 63 1000 1001 1002 4032 2097151
# the CD test: the boot image alone on an ISO, loaded whole
asm cdrom.asm "$work/cdtest.bin"
mkdir -p "$work/cdroot"
cp "$work/cdtest.bin" "$work/cdroot/"
echo "x86sim BIOS CD test" > "$work/cdroot/readme.txt"
xorriso -as mkisofs -quiet -o cdrom.iso -b cdtest.bin -no-emul-boot \
    -boot-load-size $(( $(stat -c %s "$work/cdtest.bin") / 512 )) -c boot.cat "$work/cdroot"

# ---- bad input
# a hard disk whose first sector has no 55AAh signature
python3 "$here/mkdisk.py" nosig-hd.img 16777216 512 0
# a floppy without the signature
python3 "$here/mkdisk.py" nosig-fd.img 1474560 512 0

# ---- real boot loaders, booting the stub kernel (also booted with -kernel)
asm stubkernel.asm stubkernel.bin
cp stubkernel.bin "$work/stub"

# SYSLINUX on a FAT floppy
cat > "$work/syslinux.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT stub
PROMPT 0
TIMEOUT 0
LABEL stub
  KERNEL stub
  APPEND stubtest=syslinux-floppy
EOF
rm -f syslinux-fd.img
mkfs.fat -C syslinux-fd.img 1440 > /dev/null
mcopy -i syslinux-fd.img "$work/stub" "$work/syslinux.cfg" ::
syslinux --install syslinux-fd.img

# an MBR hard disk: SYSLINUX's MBR, one active FAT16 partition from 1 MiB
# (the layout scripts/build-guest.sh uses)
mbr_disk() {  # mbr_disk IMAGE PARTITION_IMAGE
    dd if=/dev/zero of="$1" bs=1M count=32 status=none
    echo "start=2048, type=6, bootable" | sfdisk --quiet "$1"
    dd if="$2" of="$1" bs=512 seek=2048 conv=notrunc status=none
}
sed 's/syslinux-floppy/syslinux-hd/' "$work/syslinux.cfg" > "$work/syslinux-hd.cfg"
rm -f "$work/part.img"
mkfs.fat -F 16 -C "$work/part.img" $(( (32 - 1) * 1024 )) > /dev/null
mcopy -i "$work/part.img" "$work/stub" ::
mcopy -i "$work/part.img" "$work/syslinux-hd.cfg" ::syslinux.cfg
syslinux --install "$work/part.img"
mbr_disk syslinux-hd.img "$work/part.img"
dd if=/usr/lib/syslinux/mbr/mbr.bin of=syslinux-hd.img bs=440 count=1 conv=notrunc status=none

# GRUB on an MBR hard disk: boot.img in the MBR, core.img in the gap
# after it (sector 1, where boot.img's default "kernel sector" points, and
# diskboot.img's default block list continues), the configuration on the
# FAT partition
rm -f "$work/part.img"
mkfs.fat -F 16 -C "$work/part.img" $(( (32 - 1) * 1024 )) > /dev/null
mmd -i "$work/part.img" ::boot ::boot/grub
cat > "$work/grub.cfg" <<'EOF'
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
echo "GRUB: loading the stub kernel"
linux16 /stub stubtest=grub-hd
boot
EOF
mcopy -i "$work/part.img" "$work/stub" ::
mcopy -i "$work/part.img" "$work/grub.cfg" ::boot/grub/grub.cfg
mbr_disk grub-hd.img "$work/part.img"
grub-mkimage -O i386-pc -o "$work/core.img" -p "(hd0,msdos1)/boot/grub" \
    biosdisk part_msdos fat normal configfile linux16 serial terminal echo boot
dd if=/usr/lib/grub/i386-pc/boot.img of=grub-hd.img bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of=grub-hd.img bs=512 seek=1 conv=notrunc status=none

# ISOLINUX on a CD (El Torito, no emulation)
mkdir -p "$work/iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
sed -e 's/syslinux-floppy/isolinux/' -e 's|KERNEL stub|KERNEL /stub|' "$work/syslinux.cfg" > "$work/iso/isolinux/isolinux.cfg"
cp "$work/stub" "$work/iso/stub"
xorriso -as mkisofs -quiet -o isolinux.iso -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$work/iso"

# GRUB on a CD (grub-mkrescue: El Torito with GRUB's cdboot.img)
mkdir -p "$work/rescue/boot/grub"
sed 's/grub-hd/grub-cd/' "$work/grub.cfg" > "$work/rescue/boot/grub/grub.cfg"
cp "$work/stub" "$work/rescue/stub"
grub-mkrescue --quiet -o grub-cd.iso "$work/rescue" -- -quiet 2>/dev/null ||
    grub-mkrescue -o grub-cd.iso "$work/rescue" > /dev/null 2>&1

echo "make-images: done in $out"
