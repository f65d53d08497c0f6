#!/usr/bin/env python3
"""Frontend tests: python3 frontend_test.py TEST X86SIM BUILD_DIR

TEST is one of options, debugger, trace, gdb, window.  The guest is
payload.asm (run from RAM at 0000:1000 by target.asm); addresses come from
nasm's listing of payload.asm, expected values from its source, by hand.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
ORG = 0x1000


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok:", msg)


def listing(build):
    """Label -> linear address, and every instruction address in order."""
    labels, insns = {}, []
    for line in open(os.path.join(build, "payload.lst")):
        m = re.match(r"\s*\d+\s+([0-9A-F]{8})\s+(\S+)\s+(.*)", line)
        if not m:
            continue
        addr, rest = ORG + int(m.group(1), 16), m.group(3)
        lab = re.match(r"(\w+):\s*(\S*)", rest)
        if lab:
            labels[lab.group(1)] = addr
            rest = lab.group(2)
        if not rest.startswith("db"):
            insns.append(addr)
    return labels, insns


def run(sim, args, **kw):
    return subprocess.run([sim] + args, capture_output=True, text=True, timeout=kw.pop("timeout", 60), **kw)


def rom_with(tmp, name, code):
    """A 64 KiB ROM image whose reset vector runs `code` (16-bit NASM)."""
    src = os.path.join(tmp, name + ".asm")
    out = os.path.join(tmp, name + ".bin")
    with open(src, "w") as f:
        f.write("bits 16\norg 0\nstart:\n%s\ntimes 0xFFF0-($-$$) db 0xFF\njmp 0xF000:start\n"
                "times 0x10000-($-$$) db 0\n" % code)
    subprocess.run(["nasm", "-f", "bin", "-o", out, src], check=True)
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- options

def test_options(sim, build):
    target = os.path.join(build, "target.bin")
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        open(disk, "wb").write(b"\0" * 512)
        nodir = os.path.join(tmp, "no-such-dir", "x")
        bad = [
            (["-m", "0"], "-m"), (["-m", "abc"], "-m"), (["-m", "99999"], "-m"), (["-m"], "-m"),
            (["-hda", "/nonexistent.img"], "-hda"), (["-hda", disk, "-hda", disk], "-hda"),
            (["-cdrom", "/nonexistent.iso"], "-cdrom"), (["-fda", "/nonexistent.img"], "-fda"),
            (["-boot", "z"], "-boot"), (["-boot", "cc"], "-boot"), (["-bios", "/nonexistent.rom"], "-bios"),
            (["-kernel", "/nonexistent"], "-kernel"), (["-initrd", disk], "-initrd"),
            (["-append", "console=ttyS0"], "-append"), (["-display", "gtk"], "-display"),
            (["-serial", "bogus"], "-serial"), (["-serial", "tcp:10.0.0.1:4444,server"], "-serial"),
            (["-serial", "tcp:127.0.0.1:99999,server"], "-serial"), (["-serial", "file:" + nodir], "-serial"),
            (["-serial", "none"] * 5, "-serial"), (["-debugcon", "bogus"], "-debugcon"),
            (["-device", "e1000"], "-device"), (["-device", "isa-debug-exit,iobase=0x10000"], "iobase"),
            (["-device", "isa-debug-exit,colour=red"], "-device"), (["-gdb", "tcp::0"], "-gdb"),
            (["-gdb", "udp::1234"], "-gdb"), (["-s", "-gdb", "tcp::1235"], "-gdb"), (["-d", "bogus"], "-d"),
            (["-D", os.path.join(tmp, "log")], "-D"), (["-icount", "shift=11"], "-icount"),
            (["-icount", "x"], "-icount"), (["--host-time", "-icount", "2"], "--host-time"),
            (["-rtc", "base=2024-13-01"], "-rtc"), (["--max-insns", "0"], "--max-insns"),
            (["--max-insns", "-5"], "--max-insns"), (["--timeout", "0"], "--timeout"),
            (["--timeout", "abc"], "--timeout"), (["--stop-on-serial", ""], "--stop-on-serial"),
            (["--trace", nodir], "--trace"), (["--trace", os.path.join(tmp, "t"), "--trace-cpl", "4"], "--trace-cpl"),
            (["--trace", os.path.join(tmp, "t"), "--trace-insns", "5:2"], "--trace-insns"),
            (["--trace", os.path.join(tmp, "t"), "--trace-addr", "x"], "--trace-addr"),
            (["--trace-cpl", "0"], "--trace"), (["--debug-script", "/nonexistent"], "--debug-script"),
            (["-S"], "-S"), (["--bogus"], "--bogus"), (["-serial", "stdio", "--debug"], "-serial stdio"),
            (["--screenshot", nodir + ".png"], "--screenshot"),
        ]
        if "-display sdl" in run(sim, ["--help"]).stdout:
            bad.append((["-nographic", "-display", "sdl"], "-nographic"))
        for args, option in bad:
            r = run(sim, ["-bios", target] + args + (["-display", "none"] if "-display" not in args else []))
            check(r.returncode == 2 and option in r.stderr,
                  "%s -> status 2 naming %s (got %d: %s)" % (" ".join(args), option, r.returncode, r.stderr.strip()))
        # A port in use.
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = run(sim, ["-bios", target, "-display", "none", "-gdb", "tcp::%d" % port])
        check(r.returncode == 2 and "-gdb" in r.stderr and "in use" in r.stderr,
              "gdb port in use -> status 2 (%s)" % r.stderr.strip())
        busy.close()

        check(run(sim, ["--help"]).returncode == 0 and "--max-insns" in run(sim, ["--help"]).stdout, "--help")
        check(re.match(r"x86sim \d", run(sim, ["--version"]).stdout) is not None, "--version")

        # Exit statuses.
        spin = rom_with(tmp, "spin", "jmp $")
        r = run(sim, ["-bios", spin, "-display", "none", "--max-insns", "100000"])
        check(r.returncode == 6 and "instruction limit" in r.stderr, "--max-insns -> status 6")
        t0 = time.time()
        r = run(sim, ["-bios", spin, "-display", "none", "--timeout", "0.3"])
        check(r.returncode == 8 and "timeout" in r.stderr and time.time() - t0 < 5, "--timeout -> status 8")
        p = subprocess.Popen([sim, "-bios", spin, "-display", "none"], stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        err = p.communicate(timeout=10)[1]
        check(p.returncode == 10 and "SIGTERM" in err, "SIGTERM -> status 10")
        ex = rom_with(tmp, "exit", "mov dx, 0x501\nmov al, 0x20\nout dx, al\njmp $")
        r = run(sim, ["-bios", ex, "-display", "none", "-device", "isa-debug-exit"])
        check(r.returncode == 0x41, "isa-debug-exit 0x20 -> status 0x41 (got %d)" % r.returncode)
        ex2 = rom_with(tmp, "exit2", "mov dx, 0x600\nmov al, 3\nout dx, al\njmp $")
        r = run(sim, ["-bios", ex2, "-display", "none", "-device", "isa-debug-exit,iobase=0x600,iosize=1"])
        check(r.returncode == 7, "isa-debug-exit,iobase=0x600 value 3 -> status 7 (got %d)" % r.returncode)
        r = run(sim, ["-bios", target, "-nographic", "-debugcon", "stdio"])
        check(r.returncode == 0 and "PASS" in r.stdout, "halt with interrupts off -> status 0")


# ---------------------------------------------------------------- debugger

def test_debugger(sim, build):
    L, _ = listing(build)
    script = """break 0x{rmw:x}
continue
step
explain
regs
x /1hx 0x500
xp /2bx 0x500
xlate 0x500
xlate ds:0x500
step
step
until
regs
next
regs
next
regs
step
step
explain
traps
watch write 0x600 1
continue
info break
delete 1
unwatch all
continue
quit
""".format(**L)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "script.txt")
        open(path, "w").write(script)
        r = run(sim, ["-bios", os.path.join(build, "target.bin"), "-display", "none", "-debugcon", "file:" + os.path.join(tmp, "e9"),
                      "--debug-script", path], stdin=subprocess.DEVNULL)
    out = r.stdout
    print(out)
    check(r.returncode == 0, "the debugger quits with status 0 after the guest powered off")
    blocks = re.split(r"^\(x86sim\) ", out, flags=re.M)
    cmd = {}
    for b in blocks[1:]:
        head, _, body = b.partition("\n")
        cmd.setdefault(head.split()[0], []).append(body)

    def loc(addr):
        return "0000:%08x [0x%08x]" % (addr, addr)

    check("breakpoint 1 hit" in cmd["continue"][0] and loc(L["rmw"]) in cmd["continue"][0], "break + continue stop at rmw")
    check(loc(L["rmw"] + 5) in cmd["step"][0], "step moves past the 5-byte add (83 06 00 05 11)")
    ex = cmd["explain"][0]
    check(re.search(r"read 2 bytes at DS:0x0500 .*: 0xbeef", ex) is not None, "explain: read 0xbeef from DS:0x500")
    check(re.search(r"wrote 2 bytes at DS:0x0500 .*: 0xbf00", ex) is not None, "explain: wrote 0xbf00 (0xbeef + 0x11)")
    check(re.search(r"flags:.*-ZF", ex) and re.search(r"flags:.*\+SF", ex), "explain: ZF cleared, SF set by the add")
    check("inside 0x0..0xffff" in ex and "real mode, no privilege checks" in ex, "explain: segment and privilege checks")
    check("fault: none" in ex, "explain: no fault")
    check("eax=00001234" in cmd["regs"][0] and "ebx=00000010" in cmd["regs"][0], "regs after the add")
    check("0x00000500: 0xbf00" in cmd["x"][0], "x /1hx 0x500 = 0xbf00")
    check("0x00000500: 0x00 0xbf" in cmd["xp"][0], "xp /2bx 0x500 = 00 bf (little-endian)")
    xl = cmd["xlate"][0]
    check("paging off: physical = linear" in xl and re.search(r"physical 0x00000500: RAM offset 0x500 -> host 0x[0-9a-f]+", xl),
          "xlate 0x500: linear -> physical -> host")
    check("ds:0x500 -> linear 0x00000500" in cmd["xlate"][1], "xlate ds:0x500 goes through DS's base 0")
    check(loc(L["sum_loop"]) in cmd["step"][1] and loc(L["loop_insn"]) in cmd["step"][2], "steps into the loop")
    check(loc(L["after_loop"]) in cmd["until"][0], "until leaves the loop")
    check("eax=00001264" in cmd["regs"][1] and "ecx=00000000" in cmd["regs"][1], "after the loop ax = 0x1234 + 3*0x10")
    check(loc(L["after_call"]) in cmd["next"][0] and "edx=00004242" in cmd["regs"][2], "next steps over the call")
    check(loc(L["after_int"]) in cmd["next"][1] and "edi=00002121" in cmd["regs"][3], "next steps over int 0x21")
    check(loc(L["gp_handler"]) in cmd["step"][4], "the faulting step lands on the #GP handler")
    ex = cmd["explain"][1]
    check("fault: #GP general protection (vector 13)" in ex, "explain names the #GP")
    check("read of 2 bytes at DS:0xffff reaches 0x10000, outside the segment's offsets 0x0..0xffff" in ex,
          "explain says why: the word at DS:0xFFFF crosses the limit")
    check(re.search(r"read 2 bytes at the interrupt vector table.*: 0x%04x" % L["gp_handler"], ex) is not None,
          "explain shows the IVT read of the handler's offset")
    check(re.search(r"wrote 2 bytes at SS:0x6ffa .*: 0x%04x" % L["fault"], ex) is not None,
          "explain shows the pushed return IP (the faulting instruction)")
    tr = cmd["traps"][0]
    check(re.search(r"software interrupt 33 \(0x21\).* at 0000:%08x cpl 0 -> 0000:%08x" % (L["after_call"], L["int21_handler"]), tr),
          "traps: int 0x21 from after_call to its handler")
    check(re.search(r"exception 13 \(0x0d\) #GP.* at 0000:%08x cpl 0 -> 0000:%08x" % (L["fault"], L["gp_handler"]), tr),
          "traps: #GP from the fault to its handler")
    w = cmd["continue"][1]
    check("watchpoint 1: write of 1 bytes at linear 0x00000600 (physical 0x00000600), value 0x0d" in w and loc(L["gp_stored"]) in w,
          "watch write 0x600 stops after the handler's store of 13")
    check("breakpoint 1: linear 0x%08x" % L["rmw"] in cmd["info"][0] and "watchpoint 1: write 0x00000600" in cmd["info"][0],
          "info break lists both")
    # The final hlt is the last instruction before `subroutine`: EIP ends there.
    check("machine stopped: powered off" in cmd["continue"][2] and loc(L["subroutine"]) in cmd["continue"][2],
          "continue runs to the final hlt")


# ---------------------------------------------------------------- trace

def test_trace(sim, build):
    L, insns = listing(build)

    def span(a, b):  # instructions from label a up to label b (exclusive)
        return [x for x in insns if L[a] <= x < L[b]]

    # The print loop runs a full round for each of the 5 characters of
    # "PASS\n" and stops at `je done` on the NUL: mov al, inc si, cmp, je.
    expected = (span("entry", "sum_loop") + span("sum_loop", "after_loop") * 3 + [L["after_loop"]]
                + span("subroutine", "int21_handler") + [L["after_call"]] + span("int21_handler", "gp_handler")
                + [L["after_int"], L["fault"]] + span("gp_handler", "pass_text") + span("after_fault", "failed")
                + span("print", "print_next") + span("print_next", "done") * 5 + span("print_next", "done")[:4]
                + span("done", "subroutine"))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trace.txt")
        r = run(sim, ["-bios", os.path.join(build, "target.bin"), "-display", "none", "-debugcon", "file:" + os.path.join(tmp, "e9"),
                      "--trace", path])
        check(r.returncode == 0, "traced run ends with status 0")
        lines = open(path).read().splitlines()
        r2 = run(sim, ["-bios", os.path.join(build, "target.bin"), "-display", "none", "-debugcon", "file:" + os.path.join(tmp, "e9"),
                       "--trace", path + "2", "--trace-addr", "0x1000:0x1fff", "--trace-insns", "700:760"])
        filtered = open(path + "2").read().splitlines()
    insn = [l for l in lines if re.match(r"\d+ ", l)]
    got = [int(l.split()[2], 16) for l in insn if 0x1000 <= int(l.split()[2], 16) < 0x2000]
    if got != expected:
        for k, (a, b) in enumerate(zip(got, expected)):
            if a != b:
                print("first difference at %d: got %x expected %x" % (k, a, b))
                break
        print("got %d addresses, expected %d" % (len(got), len(expected)))
    check(got == expected, "the trace's addresses follow the listing (%d instructions)" % len(expected))
    # Each instruction retires one count, except a faulting one: the
    # handler's first instruction then carries the same count.
    steps_ok = all(int(b.split()[0]) == int(a.split()[0]) + (0 if a.endswith("; faulted") else 1)
                   for a, b in zip(insn, insn[1:]))
    check(int(insn[0].split()[0]) == 0 and steps_ok, "retired counts start at 0 and advance by one per retired instruction")
    by_addr = {}
    for k, l in enumerate(lines):
        if re.match(r"\d+ ", l):
            by_addr.setdefault(int(l.split()[2], 16), []).append(k)
    k = by_addr[L["set_ax"]][0]
    check("eax=00001234" in lines[k], "mov ax, 0x1234 shows eax=00001234")
    k = by_addr[L["rmw"]][0]
    check("-ZF" in lines[k] and "+SF" in lines[k], "add word [0x500], 0x11 shows -ZF +SF")
    k = by_addr[L["after_call"]][0]
    check(lines[k + 1].startswith("-- software interrupt 33 (0x21)"), "int 0x21 is followed by its event line")
    k = by_addr[L["fault"]][0]
    check(lines[k].endswith("; faulted") and lines[k + 1].startswith("-- exception 13 (0x0d #GP"),
          "the faulting read is marked and followed by #GP")
    outs = [l for l in lines if l.startswith("-- io out port 0x00e9")]
    check([int(l.split()[-1], 16) for l in outs] == [ord(c) for c in "PASS\n"], "port 0xE9 writes spell PASS")
    fins = [l for l in filtered if re.match(r"\d+ ", l)]
    check(fins and all(700 <= int(l.split()[0]) <= 760 and 0x1000 <= int(l.split()[2], 16) <= 0x1fff for l in fins),
          "--trace-insns/--trace-addr keep only the selected instructions (%d)" % len(fins))


# ---------------------------------------------------------------- gdb

def test_gdb(sim, build):
    L, _ = listing(build)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.Popen([sim, "-bios", os.path.join(build, "target.bin"), "-display", "none",
                              "-debugcon", "file:" + os.path.join(tmp, "e9"), "-S", "-gdb", "tcp::%d" % port],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.2)
        cmds = ["set pagination off", "target remote 127.0.0.1:%d" % port,
                "break *0x%x" % L["rmw"], "continue", "info registers eax ebx eip",
                "stepi", "p/x $pc", "x/1xh 0x500", "x/2xb 0x500",
                "delete", "watch *(char *)0x600", "continue", "p/x $pc", "p/x $eax",
                "set $ebx = 0x77", "p/x $ebx", "delete", "kill"]
        args = ["gdb", "-nx", "-batch"]
        for c in cmds:
            args += ["-ex", c]
        g = subprocess.run(args, capture_output=True, text=True, timeout=60)
        out = g.stdout + g.stderr
        print(out)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            fail("x86sim did not end after gdb's kill")
    check(re.search(r"Breakpoint 1, 0x0*%x" % L["rmw"], out) is not None, "gdb: break + continue stop at rmw")
    check(re.search(r"eax\s+0x1234", out) and re.search(r"ebx\s+0x10\b", out), "gdb: info registers eax=0x1234 ebx=0x10")
    check(re.search(r"eip\s+0x%x" % L["rmw"], out) is not None, "gdb: eip at the breakpoint")
    check("= 0x%x" % (L["rmw"] + 5) in out, "gdb: stepi moves past the 5-byte add")
    check(re.search(r"0x500:\s+0xbf00", out) is not None, "gdb: x/1xh 0x500 = 0xbf00")
    check(re.search(r"0x500:\s+0x00\s+0xbf", out) is not None, "gdb: x/2xb 0x500 = 0x00 0xbf")
    check(re.search(r"Hardware watchpoint 2: \*\(char \*\)0x600\s+Old value = 0 '\\000'\s+New value = 13", out) is not None,
          "gdb: a hardware watchpoint catches the handler's store of 13")
    check("= 0x%x" % L["gp_stored"] in out, "gdb: stopped after the store")
    check("= 0x77" in out, "gdb: register write")


# ---------------------------------------------------------------- window

def test_window(sim, build):
    if "-display sdl" not in run(sim, ["--help"]).stdout:
        print("SKIP: built without SDL")
        sys.exit(SKIP)
    for tool in ("xvfb-run", "xdotool"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            fail("%s is missing (scripts/setup-deps.sh installs it)" % tool)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "window_test.sh")
    r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1024x768x24", "sh", script, sim, build],
                       capture_output=True, text=True, timeout=120)
    print(r.stdout, r.stderr)
    if r.returncode == SKIP:
        sys.exit(SKIP)
    check(r.returncode == 0, "window test under Xvfb")


if __name__ == "__main__":
    test, sim, build = sys.argv[1], sys.argv[2], sys.argv[3]
    globals()["test_" + test](sim, build)
    print("PASS")
