#!/usr/bin/env python3
"""One timed Linux run on one emulator, driven through the guest's serial
shell (see bench/run_linux.sh, which prepares the images and the Bochs
configuration and calls this once per emulator and run).

usage: linux_bench.py EMULATOR_KIND WORK_DIR LOOP_COUNT -- COMMAND...
  EMULATOR_KIND  x86sim or qemu (COM1 on the emulator's standard input and
                 output) or bochs (COM1 on the pty whose name is written into
                 WORK_DIR/bochsrc in place of @PTY@)
Prints one line of host seconds, each phase timed from sending its command
to the shell prompt coming back:
  prompt=S md5=S loop=S io=S poweroff=S total=S
and the emulator's last lines of standard error (x86sim --stats goes there).
Every result is checked against the host's: md5sums and the loop counter.
"""
import hashlib
import os
import pty
import select
import subprocess
import sys
import time

PROMPT = b"x86sim:/# "
MD5_MIB = 8
IO_IMAGE = "io.img"  # the second disk, /dev/sdb in the guest


ERRORS = None  # the emulator's standard error, shown with a failure


def fail(msg):
    print("FAIL: " + msg)
    if ERRORS:
        ERRORS.seek(0)
        print("the emulator's standard error ends:\n" + "\n".join(ERRORS.read().splitlines()[-10:]))
    sys.exit(1)


class Serial:
    """The guest's COM1 through a file descriptor pair, read with a deadline."""

    def __init__(self, rfd, wfd, proc):
        self.rfd, self.wfd, self.proc = rfd, wfd, proc
        self.buf = b""

    def until(self, token, timeout):
        end = time.time() + timeout
        while token not in self.buf:
            left = end - time.time()
            if left <= 0 or self.proc.poll() is not None:
                fail("no %r within %d s; the guest printed:\n%s" % (token, timeout, self.buf[-2000:].decode(errors="replace")))
            if select.select([self.rfd], [], [], min(left, 1.0))[0]:
                try:
                    data = os.read(self.rfd, 65536)
                except OSError:  # a pty whose other side is closed
                    data = b""
                self.buf += data
        before, _, self.buf = self.buf.partition(token)
        return before.decode(errors="replace").replace("\r", "")

    def command(self, text, timeout):
        """Host seconds from sending a command line to the prompt after it,
        and the last line the command printed (the terminal does not echo)."""
        start = time.time()
        os.write(self.wfd, text.encode() + b"\n")
        out = self.until(PROMPT, timeout)
        return time.time() - start, out.strip().split("\n")[-1]


def start(kind, work, cmd):
    # Standard error to a file: a pipe nobody reads could fill and stall the emulator.
    global ERRORS
    errors = ERRORS = open(os.path.join(work, "stderr-" + kind), "w+")
    if kind == "bochs":
        master, slave = os.openpty()
        rc = os.path.join(work, "bochsrc")
        text = open(rc + ".in").read().replace("@PTY@", os.ttyname(slave))
        open(rc, "w").write(text)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
        return proc, Serial(master, master, proc), errors
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
    return proc, Serial(proc.stdout.fileno(), proc.stdin.fileno(), proc), errors


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        print(__doc__)
        sys.exit(2)
    kind, work, loops, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[5:]
    io_md5 = hashlib.md5(open(os.path.join(work, IO_IMAGE), "rb").read()).hexdigest()
    zeros_md5 = hashlib.md5(bytes(MD5_MIB << 20)).hexdigest()

    t0 = time.time()
    proc, serial, errors = start(kind, work, cmd)
    serial.until(PROMPT, 900)
    prompt = time.time() - t0
    serial.command("stty -echo", 60)
    # The first may still have been echoed; no kernel messages on the
    # console from here on (some come late: clocksource changes).
    _, out = serial.command("stty -echo; dmesg -n 1; echo ready", 60)
    if not out.endswith("ready"):
        fail("the shell did not answer: %r" % out)

    md5_secs, out = serial.command("dd if=/dev/zero bs=1M count=%d 2>/dev/null | md5sum" % MD5_MIB, 1800)
    if out.split()[:1] != [zeros_md5]:
        fail("md5sum of %d MiB of zeros: %r, the host computes %s" % (MD5_MIB, out, zeros_md5))
    loop_secs, out = serial.command("i=0; while [ $i -lt %d ]; do i=$((i+1)); done; echo $i" % loops, 1800)
    if out != str(loops):
        fail("the shell loop counted to %r, want %d" % (out, loops))
    io_secs, out = serial.command("dd if=/dev/sdb bs=64k 2>/dev/null | md5sum", 1800)
    if out.split()[:1] != [io_md5]:
        fail("md5sum of /dev/sdb: %r, the host computes %s of %s" % (out, io_md5, IO_IMAGE))

    off = time.time()
    os.write(serial.wfd, b"poweroff -f\n")
    if kind == "x86sim" or kind == "qemu":
        try:
            proc.wait(300)
        except subprocess.TimeoutExpired:
            fail("the emulator did not end after poweroff")
    else:
        # Bochs has no way out for a guest without ACPI: the kernel's last
        # words end the run.
        serial.until(b"reboot: ", 300)
        proc.terminate()
        proc.wait(60)
    poweroff = time.time() - off
    total = time.time() - t0
    print("prompt=%.2f md5=%.2f loop=%.2f io=%.2f poweroff=%.2f total=%.2f" %
          (prompt, md5_secs, loop_secs, io_secs, poweroff, total))
    errors.seek(0)
    for line in errors.read().splitlines()[-3:]:
        print("stderr: " + line)


if __name__ == "__main__":
    main()
