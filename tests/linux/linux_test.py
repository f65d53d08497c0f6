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
  window    the SDL window under Xvfb: the text the kernel and the shell put
            on the VGA console, decoded from screenshots cell by cell with the
            BIOS font, shows the prompt; a command typed into the window runs
            (its effect seen on the screen and from the serial shell)
  badinput  a file that is not a kernel, a truncated kernel, an initrd too
            large for RAM: a clear message and status 2 before the guest runs
"""
import hashlib
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The window tests' PNG reader, BIOS font and polling helper.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "frontend"))
from frontend_test import font8x16, read_png, wait_for  # noqa: E402

PROMPT = b"x86sim:/# "
APPEND = "console=ttyS0 cryptomgr.notests noisapnp"
# What CPUID leaf 1 reports (cpu/system.c), as Linux names the bits.
EXPECTED_FLAGS = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "cx8", "sep", "pge", "cmov", "fxsr"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Guest:
    """x86sim with COM1 on its standard input and output."""

    def __init__(self, sim, args, timeout=300, display=("-nographic",), cwd=None, stderr=subprocess.STDOUT):
        self.p = subprocess.Popen([sim] + list(display) + ["--timeout", str(timeout)] + args, cwd=cwd,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
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

    def poweroff(self, start):
        """poweroff -f: the emulator must end with status 0."""
        self.p.stdin.write(b"poweroff -f\n")
        self.p.stdin.flush()
        try:
            status = self.p.wait(120)
        except subprocess.TimeoutExpired:
            self.p.kill()
            fail("the emulator did not end after poweroff")
        if status != 0:
            fail("poweroff: exit status %d" % status)
        print("poweroff: exit status 0 after %.1f s" % (time.time() - start))

    def no_echo(self):
        self.run("stty -echo 2>/dev/null; echo ready")

    def ask(self, command, timeout=120):
        """Runs a shell command once the terminal no longer echoes (no_echo)
        and returns what it printed."""
        self.p.stdin.write(command.encode() + b"\n")
        self.p.stdin.flush()
        return self.read_until(PROMPT, timeout).decode(errors="replace").replace("\r", "").strip()


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
    g.no_echo()
    ask = g.ask
    want = open(os.path.join(guest_dir, "kernel-version")).read().strip()

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

    g.poweroff(start)


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
        g.no_echo()
        ask = g.ask
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
        g.poweroff(start)

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


SKIP = 77
SCREEN_ROWS, SCREEN_COLS, CELL_W, CELL_H = 25, 80, 9, 16


def screen_text(png, glyphs):
    """The 80x25 text on a 720x400 screenshot of the text console: each 9x16
    cell's first eight columns, lit where they differ from the cell's ninth
    column (blank for every character but C0h-DFh), looked up in the BIOS
    font; '?' where no glyph matches (the cursor's cell, say)."""
    width, height, rows = read_png(png)
    if (width, height) != (SCREEN_COLS * CELL_W, SCREEN_ROWS * CELL_H):
        fail("%s is %dx%d, not the 720x400 text mode" % (png, width, height))
    code_of = {}
    for code in list(range(0x20, 0x7F)) + list(range(256)):  # ASCII first: blank glyphs read as spaces
        code_of.setdefault(tuple(glyphs[code]), code)
    lines = []
    for row in range(SCREEN_ROWS):
        line = ""
        for col in range(SCREEN_COLS):
            x0, y0 = col * CELL_W, row * CELL_H
            bg = rows[y0][x0 + 8]
            bits = tuple(sum(0x80 >> x for x in range(8) if rows[y0 + y][x0 + x] != bg) for y in range(CELL_H))
            line += chr(code_of[bits]) if bits in code_of and code_of[bits] < 0x7F else "?"
        lines.append(line.rstrip())
    return lines


def test_window(sim, guest_dir):
    if "-display sdl|none" not in subprocess.run([sim, "--help"], capture_output=True, text=True).stdout:
        print("SKIP: built without SDL")
        sys.exit(SKIP)
    if not os.environ.get("DISPLAY"):
        r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", sys.executable, os.path.abspath(__file__),
                            sim, guest_dir, "window"], timeout=600)
        sys.exit(r.returncode)
    glyphs = font8x16(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    kver = open(os.path.join(guest_dir, "kernel-version")).read().strip()
    args = boot_args(guest_dir)
    args[args.index("-append") + 1] = "console=ttyS0 console=tty0 cryptomgr.notests noisapnp"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.time()
        # x86sim's messages (screenshots saved) apart from the serial output
        g = Guest(sim, args, display=("-display", "sdl", "-serial", "stdio"), cwd=tmp, stderr=subprocess.DEVNULL)
        shots = [0]

        def screenshot():
            """Ctrl+Alt+S in the window; the decoded text of the picture."""
            shots[0] += 1
            path = os.path.join(tmp, "x86sim-screenshot-%d.png" % shots[0])
            subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+alt+s"], timeout=10)
            if not wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 10):
                fail("Ctrl+Alt+S saved no screenshot")
            time.sleep(0.2)
            shutil.copyfile(path, "linux_window.png")  # kept in the test's directory to look at
            return screen_text(path, glyphs)

        def screen_shows(want, seconds):
            """Screenshots until one has a line for which want(line) holds."""
            end = time.time() + seconds
            while True:
                lines = screenshot()
                if any(want(line) for line in lines):
                    return lines
                if time.time() > end:
                    fail("the screen never showed what was expected; it reads:\n" + "\n".join(lines))
                time.sleep(1)

        try:
            g.read_until(PROMPT, 240)
            print("serial shell prompt after %.1f s" % (time.time() - start))
            wid = subprocess.run(["xdotool", "search", "--sync", "--name", "^x86sim"], capture_output=True, text=True,
                                 timeout=20).stdout.split()
            if not wid:
                fail("no x86sim window")
            subprocess.run(["xdotool", "windowfocus", "--sync", wid[0]], timeout=10)
            lines = screen_shows(lambda l: l.startswith(PROMPT.decode().rstrip()), 60)
            if not any(l == "x86sim guest: %s ready" % kver for l in lines):
                fail("the init's greeting with the kernel version %s is not on the screen:\n%s" % (kver, "\n".join(lines)))
            print("the VGA console shows the greeting for %s and the shell prompt" % kver)
            g.no_echo()
            g.ask("dmesg -n 1")  # no kernel messages in the middle of the typed line
            command = "echo $((1234 * 5678)) | tee /tmp/typed"
            subprocess.run(["xdotool", "type", "--delay", "40", command], timeout=60)
            subprocess.run(["xdotool", "key", "Return"], timeout=10)
            product = str(1234 * 5678)
            lines = screen_shows(lambda l: l == product, 60)
            if not any(l == PROMPT.decode() + command for l in lines):
                fail("the typed command is not echoed on the screen:\n" + "\n".join(lines))
            print("the command typed in the window shows on the screen with its output %s" % product)
            print("screen:\n" + "\n".join(l for l in lines if l))
            got = g.ask("cat /tmp/typed")
            if got != product:
                fail("the serial shell reads %r from the file the typed command wrote, want %s" % (got, product))
            print("the serial shell reads the typed command's file: %s" % got)
            # With a window, a guest halted with interrupts off stays on the
            # screen (the run does not end by itself): SIGTERM ends it.
            g.p.stdin.write(b"poweroff -f\n")
            g.p.stdin.flush()
            g.read_until(b"reboot: ", 120)  # "System halted": no ACPI or APM to power off with
            g.p.send_signal(signal.SIGTERM)
            status = g.p.wait(30)
            if status != 10:
                fail("SIGTERM after the power-off: exit status %d, want 10" % status)
            print("powered off after %.1f s; SIGTERM ended the run with status 10" % (time.time() - start))
        finally:
            if g.p.poll() is None:
                g.p.kill()


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
    sim, guest_dir, test = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    {"direct": test_direct, "disk": test_disk, "window": test_window, "badinput": test_badinput}[test](sim, guest_dir)
    print("PASS")


if __name__ == "__main__":
    main()
