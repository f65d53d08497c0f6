#!/usr/bin/env python3
"""Boots Debian's i386 kernel (built by scripts/build-guest.sh) on x86sim and
checks what the guest does against values computed independently on the host.

usage: linux_test.py X86SIM GUEST_DIR TEST
  direct    -kernel/-initrd boot to the serial shell: uname -r, md5sum of
            busybox, an awk floating-point computation, /proc/cpuinfo flags,
            dmesg free of BUG/WARNING/Oops, then poweroff and exit status 0
  badinput  a file that is not a kernel, a truncated kernel, an initrd too
            large for RAM: a clear message and status 2 before the guest runs
"""
import hashlib
import os
import re
import select
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
    {"direct": test_direct, "badinput": test_badinput}[test](sim, guest_dir)
    print("PASS")


if __name__ == "__main__":
    main()
