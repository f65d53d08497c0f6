#!/bin/bash
# Builds x86sim and the default guest (Debian 12's i386 kernel with a busybox
# initramfs, scripts/build-guest.sh), then boots it: in an SDL window when a
# display exists, headless otherwise.  The guest's shell runs on the serial
# console (this terminal) and on the VGA console (the window).
# Extra arguments go to x86sim (e.g. -m 512, -hda guest/disk.img).
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
[ -f guest/vmlinuz ] && [ -f guest/initrd.img ] || scripts/build-guest.sh guest
if [ -n "${DISPLAY:-}" ]; then
    display=(-display sdl -serial stdio)
else
    display=(-nographic)
fi
exec build/x86sim -m 256 -kernel guest/vmlinuz -initrd guest/initrd.img \
    -append "console=tty0 console=ttyS0 cryptomgr.notests noisapnp" "${display[@]}" "$@"
