#!/bin/bash
# Builds the default guest from Debian's i386 packages:
#   guest/vmlinuz      Debian 12's linux-image-686 kernel
#   guest/initrd.img   a busybox initramfs whose /init mounts /proc, /sys and
#                      /dev, loads the disk modules and starts a shell on the
#                      serial console and on the VGA console
#   guest/disk.img     a raw MBR hard disk: one FAT partition with SYSLINUX
#                      booting the same kernel and initramfs
# Usage: scripts/build-guest.sh [OUTDIR]   (default: guest/ in the tree)
# Downloads are cached in OUTDIR/cache; a second run reuses them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/guest}
cache=$out/cache
mkdir -p "$cache"

"$here/scripts/setup-deps.sh"

# The i386 architecture gives apt the packages' indexes.
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
fi
if ! apt-cache show busybox-static:i386 >/dev/null 2>&1; then
    apt-get update || echo "build-guest: apt-get update reported an error; continuing"
fi

# linux-image-686 is a metapackage: download the versioned image it names.
image_pkg=$(apt-cache depends linux-image-686:i386 | awk '/Depends: linux-image-/ {print $2; exit}')
[ -n "$image_pkg" ] || { echo "build-guest: cannot resolve linux-image-686:i386" >&2; exit 1; }
(
    cd "$cache"
    ls "${image_pkg%:i386}"_*.deb >/dev/null 2>&1 || apt-get download "$image_pkg"
    ls busybox-static_*_i386.deb >/dev/null 2>&1 || apt-get download busybox-static:i386
) 2>&1 | grep -v "unsandboxed" || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$(ls "$cache/${image_pkg%:i386}"_*.deb | head -1)" "$work/kernel"
dpkg-deb -x "$(ls "$cache"/busybox-static_*_i386.deb | head -1)" "$work/busybox"
kver=$(ls "$work/kernel/lib/modules")
cp "$work/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$work/busybox/bin/busybox" "$out/busybox" # the tests compare its md5sum
echo "$kver" > "$out/kernel-version"

# ---- the initramfs
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,root,lib/modules}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
for applet in sh mount; do ln -s busybox "$root/bin/$applet"; done
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# Modules the guest needs for the disk (ata_piix, sd_mod, vfat) with their
# dependencies, in load order (a module's dependencies first).
moddir=$work/kernel/lib/modules/$kver/kernel
declare -A seen
order=()
add_module() {
    local name=$1 file deps d
    [ -n "${seen[$name]:-}" ] && return
    seen[$name]=1
    file=$(find "$moddir" -name "$name.ko" | head -1)
    [ -n "$file" ] || { echo "build-guest: module $name not found" >&2; exit 1; }
    deps=$(tr '\0' '\n' < "$file" | grep -a '^depends=' | cut -d= -f2 | tr ',' ' ')
    for d in $deps; do add_module "$d"; done
    cp "$file" "$root/lib/modules/"
    order+=("$name")
}
for m in ata_piix sd_mod vfat nls_cp437 nls_ascii; do add_module "$m"; done
printf '%s\n' "${order[@]}" > "$root/etc/modules"

cat > "$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /etc/modules); do
    insmod /lib/modules/$m.ko || echo "init: cannot load $m"
done
export PS1='x86sim:\w# ' HOME=/root PATH=/bin:/sbin
echo "x86sim guest: $(uname -r) ready"
# A shell on the serial console and one on the VGA console, started again
# whenever they exit.
shell_on() {
    while :; do setsid -c sh -l < "$1" > "$1" 2>&1; sleep 1; done
}
[ -c /dev/ttyS0 ] && shell_on /dev/ttyS0 &
[ -c /dev/tty1 ] && shell_on /dev/tty1 &
while :; do wait; sleep 1; done
EOF
chmod 755 "$root/init"
cat > "$root/etc/profile" <<'EOF'
export PS1='x86sim:\w# ' HOME=/root PATH=/bin:/sbin
EOF
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out/initrd.img"

# ---- the hard-disk image: MBR, one bootable FAT16 partition from 1 MiB
disk=$out/disk.img
part=$work/part.img
size_mb=64
part_sectors=$(( (size_mb - 1) * 2048 ))
rm -f "$disk" "$part"
mkfs.fat -F 16 -n X86SIM -C "$part" $(( part_sectors / 2 )) >/dev/null
cat > "$work/syslinux.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND console=ttyS0,115200 console=tty0 cryptomgr.notests noisapnp
EOF
mcopy -i "$part" "$out/vmlinuz" "$out/initrd.img" "$work/syslinux.cfg" ::
syslinux --install "$part"
dd if=/dev/zero of="$disk" bs=1M count=$size_mb status=none
echo "start=2048, size=$part_sectors, type=6, bootable" | sfdisk --quiet "$disk"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$disk" bs=440 count=1 conv=notrunc status=none
dd if="$part" of="$disk" bs=512 seek=2048 conv=notrunc status=none
echo "build-guest: kernel $kver, $(stat -c %s "$out/initrd.img") byte initramfs, $size_mb MiB disk in $out"
