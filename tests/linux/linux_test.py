#!/usr/bin/env python3
"""Boots Debian's i386 kernel (built by scripts/build-guest.sh) on x86sim and
checks what the guest does against values computed independently on the host.

usage: linux_test.py X86SIM GUEST_DIR TEST
  direct    -kernel/-initrd boot to the serial shell: uname -r, md5sum of
            busybox, an awk floating-point computation, /proc/cpuinfo flags,
            dmesg free of BUG/WARNING/Oops, then poweroff and exit status 0
  disk      a copy of guest/disk.img booted through the built-in BIOS and
            SYSLINUX: the disk is /dev/sda through ata_piix with the image's
            size, the FAT partition mounts, the kernel read from it has the
            host's md5sum; files written in the guest are read back from the
            image on the host with mtools after poweroff
  badinput  a file that is not a kernel, a truncated kernel, an initrd too
            large for RAM: a clear message and status 2 before the guest runs
"""
import hashlib
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

PROMPT = b"x86sim:/# "
APPEND = "console=ttyS0 cryptomgr.notests noisapnp"
# What CPUID leaf 1 reports (cpu/system.c), as Linux names the bits.
EXPECTED_FLAGS = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "cx8", "sep", "pge", "cmov", "fxsr"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Guest:
    """x86sim with COM1 on its standard input and output."""

    def __init__(self, sim, args, timeout=300):
        self.p = subprocess.Popen([sim, "-nographic", "--timeout", str(timeout)] + args,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b""
        self.log = b""

    def read_until(self, token, timeout):
        end = time.time() + timeout
        while token not in self.buf:
            left = end - time.time()
            if left <= 0 or self.p.poll() is not None and not select.select([self.p.stdout], [], [], 0)[0]:
                fail("waited %ds for %r; the guest printed:\n%s" % (timeout, token, self.log[-3000:].decode(errors="replace")))
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 1.0))
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data and self.p.poll() is not None:
                    continue
                self.buf += data
                self.log += data
        before, _, self.buf = self.buf.partition(token)
        return before

    def run(self, command, timeout=120):
        """Runs a shell command and returns what it printed (without the echo)."""
        self.p.stdin.write(command.encode() + b"\n")
        self.p.stdin.flush()
        out = self.read_until(PROMPT, timeout).decode(errors="replace").replace("\r", "")
        lines = out.split("\n")
        # The first line is the terminal's echo of the command.
        return "\n".join(lines[1:]).strip()


def boot_args(guest_dir, mem=256):
    return ["-m", str(mem), "-kernel", os.path.join(guest_dir, "vmlinuz"),
            "-initrd", os.path.join(guest_dir, "initrd.img"), "-append", APPEND]


def host_awk(program):
    return subprocess.run(["awk", program], capture_output=True, text=True, check=True).stdout.strip()


def test_direct(sim, guest_dir):
    start = time.time()
    g = Guest(sim, boot_args(guest_dir))
    g.read_until(PROMPT, 240)
    print("shell prompt after %.1f s" % (time.time() - start))
    g.run("stty -echo 2>/dev/null; echo ready")  # no echo from here on
    want = open(os.path.join(guest_dir, "kernel-version")).read().strip()

    def ask(cmd):
        g.p.stdin.write(cmd.encode() + b"\n")
        g.p.stdin.flush()
        return g.read_until(PROMPT, 120).decode(errors="replace").replace("\r", "").strip()

    got = ask("uname -r")
    if got != want:
        fail("uname -r: %r, the package says %r" % (got, want))
    print("uname -r: %s" % got)

    md5 = hashlib.md5(open(os.path.join(guest_dir, "busybox"), "rb").read()).hexdigest()
    got = ask("md5sum /bin/busybox").split()
    if not got or got[0] != md5:
        fail("md5sum /bin/busybox: %r, the host computes %s" % (got, md5))
    print("md5sum /bin/busybox: %s" % md5)

    # Debian's busybox awk has no libm functions: arithmetic and printf only.
    # The guest's awk computes on the x87 with 80-bit intermediates, the
    # host's with SSE doubles: the last bits may differ legitimately (QEMU
    # gives the guest's digits too), so the results are printed to ten
    # significant digits, far above that noise and far below any real error.
    program = 'BEGIN { h = 0; x = 1; for (i = 1; i <= 500; i++) { h += 1 / i; x = x * 1.003 - 1 / (i * i + 0.5) } printf "%.10g %.10g %.10g %d\\n", h, x, h * x / 3.7, int(h * 1e6) % 1009 }'
    want = host_awk(program)
    got = ask("awk '%s'" % program)
    if got != want:
        fail("awk floating point: guest %r, host %r" % (got, want))
    print("awk: %s" % got)

    cpuinfo = ask("cat /proc/cpuinfo")
    m = re.search(r"^flags\s*:\s*(.*)$", cpuinfo, re.M)
    if not m:
        fail("no flags line in /proc/cpuinfo:\n" + cpuinfo)
    flags = set(m.group(1).split())
    missing = EXPECTED_FLAGS - flags
    if missing:
        fail("/proc/cpuinfo lacks %s (flags: %s)" % (sorted(missing), m.group(1)))
    print("cpuinfo flags: %s" % m.group(1))

    dmesg = ask("dmesg")
    for bad in ("BUG:", "WARNING:", "Oops", "timer doesn't work"):
        if bad in dmesg:
            lines = [l for l in dmesg.split("\n") if bad in l]
            fail("dmesg has %r: %s" % (bad, lines[:5]))

    g.p.stdin.write(b"poweroff -f\n")
    g.p.stdin.flush()
    try:
        status = g.p.wait(120)
    except subprocess.TimeoutExpired:
        g.p.kill()
        fail("the emulator did not end after poweroff")
    if status != 0:
        fail("poweroff: exit status %d" % status)
    print("poweroff: exit status 0 after %.1f s" % (time.time() - start))


def mbr_partition(image):
    """(first sector, sector count) of the first MBR partition entry."""
    mbr = open(image, "rb").read(512)
    if mbr[510:512] != b"\x55\xaa":
        fail("%s has no MBR signature" % image)
    entry = mbr[446:462]
    return int.from_bytes(entry[8:12], "little"), int.from_bytes(entry[12:16], "little")


def test_disk(sim, guest_dir):
    # Written by the guest, compared on the host: a text the host generates
    # the same way and a binary copy of the kernel read from the disk.
    numbers = "".join("%d\n" % (i * i) for i in range(1, 20001))
    kernel = open(os.path.join(guest_dir, "vmlinuz"), "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "disk.img")
        shutil.copyfile(os.path.join(guest_dir, "disk.img"), image)
        first, count = mbr_partition(image)
        start = time.time()
        g = Guest(sim, ["-m", "256", "-hda", image])
        g.read_until(PROMPT, 240)
        print("shell prompt after %.1f s (BIOS, SYSLINUX, kernel from the disk)" % (time.time() - start))
        g.run("stty -echo 2>/dev/null; echo ready")

        def ask(cmd, timeout=120):
            g.p.stdin.write(cmd.encode() + b"\n")
            g.p.stdin.flush()
            return g.read_until(PROMPT, timeout).decode(errors="replace").replace("\r", "").strip()

        path = ask("readlink -f /sys/block/sda")
        m = re.search(r"/(0000:00:[0-9a-f]{2}\.[0-7])/ata\d+/", path)
        if not m:
            fail("/sys/block/sda is %r, not a disk on a PCI ATA controller" % path)
        driver = ask("readlink /sys/bus/pci/devices/%s/driver" % m.group(1)).split("/")[-1]
        ids = ask("cat /sys/bus/pci/devices/%s/vendor /sys/bus/pci/devices/%s/device" % (m.group(1), m.group(1))).split()
        # 8086:7010 is the PIIX3's IDE function (Intel 82371SB datasheet).
        if driver != "ata_piix" or ids != ["0x8086", "0x7010"]:
            fail("/dev/sda's controller %s is %s driven by %r, want 8086:7010 and ata_piix" % (m.group(1), ids, driver))
        print("/dev/sda is behind ata_piix")
        sectors = ask("cat /sys/block/sda/size")
        if sectors != str(os.path.getsize(image) // 512):
            fail("/sys/block/sda/size %r, the image has %d sectors" % (sectors, os.path.getsize(image) // 512))
        got = ask("cat /sys/block/sda/sda1/start /sys/block/sda/sda1/size").split()
        if got != [str(first), str(count)]:
            fail("sda1 start/size %r, the MBR says %d/%d" % (got, first, count))
        print("sda: %s sectors, sda1 at %d, %d sectors" % (sectors, first, count))
        out = ask("mount -t vfat /dev/sda1 /mnt && echo mounted")
        if out != "mounted":
            fail("mount /dev/sda1: %r" % out)
        got = ask("md5sum /mnt/vmlinuz", 300).split()
        if not got or got[0] != hashlib.md5(kernel).hexdigest():
            fail("md5sum /mnt/vmlinuz: %r, the host computes %s" % (got, hashlib.md5(kernel).hexdigest()))
        print("md5sum /mnt/vmlinuz matches the host's")
        out = ask("i=1; while [ $i -le 20000 ]; do echo $((i * i)); i=$((i + 1)); done > /mnt/squares.txt;"
                  " cp /mnt/vmlinuz /mnt/kcopy.bin && sync && umount /mnt && echo written", 600)
        if out != "written":
            fail("writing the files: %r" % out)
        g.p.stdin.write(b"poweroff -f\n")
        g.p.stdin.flush()
        try:
            status = g.p.wait(120)
        except subprocess.TimeoutExpired:
            g.p.kill()
            fail("the emulator did not end after poweroff")
        if status != 0:
            fail("poweroff: exit status %d" % status)
        print("poweroff: exit status 0 after %.1f s" % (time.time() - start))

        where = "%s@@%d" % (image, first * 512)
        for name, want in (("squares.txt", numbers.encode()), ("kcopy.bin", kernel)):
            r = subprocess.run(["mcopy", "-n", "-i", where, "::" + name, os.path.join(tmp, name)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                fail("mcopy %s: %s" % (name, r.stderr.strip()))
            got = open(os.path.join(tmp, name), "rb").read()
            if got != want:
                fail("%s read back on the host: %d bytes, differs from the expected %d bytes" % (name, len(got), len(want)))
            print("%s read back on the host with mtools: %d bytes as expected" % (name, len(got)))
        # The file system the guest left behind is consistent.
        part = os.path.join(tmp, "part.img")
        with open(image, "rb") as f, open(part, "wb") as out:
            f.seek(first * 512)
            out.write(f.read(count * 512))
        r = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
        if r.returncode != 0:
            fail("fsck.fat -n on the partition: status %d\n%s" % (r.returncode, r.stdout + r.stderr))
        print("fsck.fat -n: clean")


def test_badinput(sim, guest_dir):
    with tempfile.TemporaryDirectory() as tmp:
        notkernel = os.path.join(tmp, "notkernel")
        open(notkernel, "wb").write(b"hello, this is not a kernel\n" * 100)
        kernel = open(os.path.join(guest_dir, "vmlinuz"), "rb").read()
        truncated = os.path.join(tmp, "truncated")
        open(truncated, "wb").write(kernel[:4096])
        big = os.path.join(tmp, "big.img")
        with open(big, "wb") as f:
            f.truncate(40 << 20)
        cases = [
            (["-kernel", notkernel], "neither a Linux bzImage"),
            (["-kernel", truncated], "truncated"),
            (["-m", "32", "-kernel", os.path.join(guest_dir, "vmlinuz"), "-initrd", big], "does not fit"),
            (["-kernel", os.path.join(tmp, "missing")], "No such file"),
        ]
        for args, words in cases:
            r = subprocess.run([sim, "-nographic", "--timeout", "10"] + args, capture_output=True, text=True)
            if r.returncode != 2 or words not in r.stderr:
                fail("%s: status %d, stderr %r (want 2 and %r)" % (args, r.returncode, r.stderr, words))
            print("%s -> %s" % (" ".join(args[-2:]), r.stderr.strip()))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sim, guest_dir, test = sys.argv[1:]
    {"direct": test_direct, "disk": test_disk, "badinput": test_badinput}[test](sim, guest_dir)
    print("PASS")


if __name__ == "__main__":
    main()
