#!/bin/bash
# Installs the Debian packages x86sim needs to build and test.  Safe to run
# again: it installs only what is missing.  `apt-get update` may report one
# failed index (a mirror mid-sync); that is not fatal, a package that cannot
# be installed is.
set -u
packages=(build-essential cmake pkg-config nasm libsdl2-dev zlib1g-dev libcmocka-dev
          gdb xvfb xauth mtools dosfstools syslinux syslinux-common isolinux xorriso
          grub-pc-bin cpio gzip fdisk e2fsprogs python3 xdotool binutils)
packages+=(xfonts-terminus-dos fonts-spleen) # fonts the VGA font generator reads (test vga_font_current)
packages+=(qemu-system-x86) # the reference PC the BIOS tests also run on (tests/bios)
packages+=(x11-apps) # xwd: what Xvfb shows in the window (frontend_window resize checks)
if [ "$#" -gt 0 ]; then packages+=("$@"); fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup-deps: installing ${missing[*]}"
$sudo apt-get update || echo "setup-deps: apt-get update reported an error; trying the install anyway"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" || {
    echo "setup-deps: could not install: ${missing[*]}" >&2
    exit 1
}
