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
import zlib

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
        if "-display sdl|none" in run(sim, ["--help"]).stdout:
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
        # --stats counts by hand: the reset vector's far JMP, CLI, MOV, 1000
        # LOOPs and the HLT that ends the run (a retired instruction).
        counted = rom_with(tmp, "counted", "cli\nmov cx, 1000\nl: loop l\nhlt")
        r = run(sim, ["-bios", counted, "-display", "none", "--stats"])
        check(r.returncode == 0 and re.search(r"\b1004 instructions retired", r.stderr) is not None,
              "--stats reports 1004 instructions (%s)" % r.stderr.strip())
        # The ROM's code is decoded into at least one block.
        decoded = re.search(r"blocks decoded (\d+)", r.stderr)
        check(decoded is not None and int(decoded.group(1)) >= 1, "--stats reports the blocks decoded")
        ex = rom_with(tmp, "exit", "mov dx, 0x501\nmov al, 0x20\nout dx, al\njmp $")
        r = run(sim, ["-bios", ex, "-display", "none", "-device", "isa-debug-exit"])
        check(r.returncode == 0x41, "isa-debug-exit 0x20 -> status 0x41 (got %d)" % r.returncode)
        ex2 = rom_with(tmp, "exit2", "mov dx, 0x600\nmov al, 3\nout dx, al\njmp $")
        r = run(sim, ["-bios", ex2, "-display", "none", "-device", "isa-debug-exit,iobase=0x600,iosize=1"])
        check(r.returncode == 7, "isa-debug-exit,iobase=0x600 value 3 -> status 7 (got %d)" % r.returncode)
        r = run(sim, ["-bios", target, "-nographic", "-debugcon", "stdio"])
        check(r.returncode == 0 and "PASS" in r.stdout, "halt with interrupts off -> status 0")

        # --stop-on-serial: a guest that prints on COM1 (115200 8N1, waiting
        # for THRE before each byte) and then spins forever.
        com1 = rom_with(tmp, "com1", """
    mov dx, 0x3FB
    mov al, 0x80
    out dx, al          ; DLAB
    mov dx, 0x3F8
    mov al, 1
    out dx, al          ; divisor 1: 115200 baud
    inc dx
    mov al, 0
    out dx, al
    mov dx, 0x3FB
    mov al, 0x03
    out dx, al          ; 8N1
    mov si, text
next:
    mov al, [cs:si]
    test al, al
    jz spin
    mov bl, al
    mov dx, 0x3FD
thre_wait:
    in al, dx
    test al, 0x20
    jz thre_wait
    mov dx, 0x3F8
    mov al, bl
    out dx, al
    inc si
    jmp next
spin:
    jmp spin
text: db "booting...", 10, "lolo login: ", 0""")
        out = os.path.join(tmp, "com1.txt")
        r = run(sim, ["-bios", com1, "-display", "none", "-serial", "file:" + out, "--stop-on-serial", "lo login:",
                      "--timeout", "20"])
        check(r.returncode == 0 and open(out).read().startswith("booting...\nlolo login:"),
              "--stop-on-serial 'lo login:' (after a false start 'lol') -> status 0 (got %d)" % r.returncode)
        r = run(sim, ["-bios", com1, "-nographic", "--stop-on-serial", "login: ", "--timeout", "20"])
        check(r.returncode == 0 and "booting..." in r.stdout, "-nographic puts COM1 on standard output")
        r = run(sim, ["-bios", com1, "-display", "none", "-serial", "none", "--stop-on-serial", "never printed",
                      "--timeout", "0.5"])
        check(r.returncode == 8, "text that never comes -> the timeout's status 8")


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
stack 2
info idt
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
    check("ss:6ffa [0x00006ffa]: 0x%04x\nss:6ffc [0x00006ffc]: 0x0000" % L["fault"] in cmd["stack"][0],
          "stack: the #GP frame holds the faulting IP and CS 0")
    idt = cmd["info"][0]
    check("IVT[0x0d] -> 0000:%04x" % L["gp_handler"] in idt and "IVT[0x21] -> 0000:%04x" % L["int21_handler"] in idt,
          "info idt shows the two vectors the guest installed")
    w = cmd["continue"][1]
    check("watchpoint 1: write of 1 bytes at linear 0x00000600 (physical 0x00000600), value 0x0d" in w and loc(L["gp_stored"]) in w,
          "watch write 0x600 stops after the handler's store of 13")
    check("breakpoint 1: linear 0x%08x" % L["rmw"] in cmd["info"][1] and "watchpoint 1: write 0x00000600" in cmd["info"][1],
          "info break lists both")
    # The final hlt is the last instruction before `subroutine`: EIP ends there.
    check("machine stopped: powered off" in cmd["continue"][2] and loc(L["subroutine"]) in cmd["continue"][2],
          "continue runs to the final hlt")


def test_debugger_paging(sim, build):
    """xlate, info tab and x through page tables written by hand: CR3 =
    0x10000; linear 0x00401234 -> PDE 1 at 0x10004 -> page table 0x11000,
    PTE 1 at 0x11004 -> frame 0x23000; PDE 2 maps a 4 MiB page at
    0x00C00000 (PSE); PDE 3 is absent."""
    script = """setpmem 0x10004 4 0x00011003
setpmem 0x11004 4 0x00023003
setpmem 0x10008 4 0x00c00083
setpmem 0x23234 4 0xcafef00d
set cr3 = 0x10000
set cr4 = 0x10
set cr0 = 0x80000011
xlate 0x00401234
xlate 0x00812345
xlate 0x00c00000
info tab
x /1wx 0x00401234
quit
"""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "script.txt")
        open(path, "w").write(script)
        r = run(sim, ["-bios", os.path.join(build, "target.bin"), "-display", "none", "--debug-script", path],
                stdin=subprocess.DEVNULL)
    out = r.stdout
    print(out)
    blocks = [b.partition("\n") for b in re.split(r"^\(x86sim\) ", out, flags=re.M)[1:]]
    xl = [body for head, _, body in blocks if head.startswith("xlate")]
    check("PDE   at 0x00010004 = 0x00011003 [P W]" in xl[0] and "PTE   at 0x00011004 = 0x00023003 [P W]" in xl[0],
          "xlate 0x00401234 walks PDE 1 and PTE 1")
    check("4 KiB page, writable, supervisor only" in xl[0] and "-> physical 0x00023234: RAM offset 0x23234 -> host 0x" in xl[0],
          "xlate 0x00401234 -> physical 0x23234 -> host")
    check("PDE   at 0x00010008 = 0x00c00083 [P W PS]" in xl[1] and "4096 KiB page" in xl[1]
          and "-> physical 0x00c12345: RAM" in xl[1], "xlate 0x00812345 through the 4 MiB page -> 0xc12345")
    check("PDE   at 0x0001000c = 0x00000000 [not present]" in xl[2] and "would raise #PF with error code 0x0" in xl[2],
          "xlate of an unmapped address names the absent PDE and the #PF error code")
    tab = [body for head, _, body in blocks if head.startswith("info")][0]
    check("0x00401000-0x00401fff -> 0x00023000-0x00023fff rw supervisor" in tab
          and "0x00800000-0x00bfffff -> 0x00c00000-0x00ffffff rw supervisor" in tab
          and len([l for l in tab.splitlines() if l.startswith("  0x")]) == 2, "info tab lists exactly the two mappings")
    check("0x00401234: 0xcafef00d" in out, "x reads through the page tables")


def test_debugger_pm(sim, build):
    """traps and sreg on tests/guest/pm_rings.asm: its last act is INT 0x83
    at ring 3 (code selector SEL_CODE32_3 = 0x2B) through a DPL-3 gate to
    `finish` in SEL_CODE32 = 0x08 at ring 0; TR holds SEL_TSS0 = 0x38."""
    source = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "guest")
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "pm_rings.lst")
        subprocess.run(["nasm", "-f", "bin", "-I" + source + "/", "-l", lst, "-o", os.path.join(tmp, "pm_rings.bin"),
                        os.path.join(source, "pm_rings.asm")], check=True)
        # `finish:` stands on its own line: its address is the next listed one.
        lines = open(lst).read().splitlines()
        k = next(i for i, l in enumerate(lines) if re.match(r"\s*\d+\s+finish:", l))
        finish = next(int(m.group(1), 16) for m in (re.match(r"\s*\d+\s+([0-9A-F]{8})\s", l) for l in lines[k:]) if m)
        r = run(sim, ["-bios", os.path.join(tmp, "pm_rings.bin"), "-display", "none", "-debugcon", "file:" + os.path.join(tmp, "e9"),
                      "--debug"], input="continue\ntraps 1\nsreg\nquit\n")
    print(r.stdout)
    check(re.search(r"software interrupt 131 \(0x83\) +at 002b:[0-9a-f]{8} cpl 3 -> 0008:%08x cpl 0 \(privilege change\)"
                    % finish, r.stdout) is not None, "traps: INT 0x83 from ring 3 to finish at ring 0 (privilege change)")
    check(re.search(r"^TR +0x0038 .*32-bit TSS \(busy\)", r.stdout, re.M) is not None, "sreg: TR holds the busy 32-bit TSS")
    check(re.search(r"^CS +0x0008 base=0x000f0000 .*code, execute/read.*DPL 0, present, 32-bit", r.stdout, re.M) is not None,
          "sreg: CS is SEL_CODE32 with its descriptor cache")


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
        run(sim, ["-bios", os.path.join(build, "target.bin"), "-display", "none", "-debugcon", "file:" + os.path.join(tmp, "e9"),
                  "-d", "int,io", "-D", path + "3"])
        log = open(path + "3").read().splitlines()
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
    check(not [l for l in log if not l.startswith("-- ")] and
          [l.split(" at ")[0] for l in log if "interrupt" in l or "exception" in l] ==
          ["-- software interrupt 33 (0x21)", "-- exception 13 (0x0d #GP general protection)"] and
          len([l for l in log if l.startswith("-- io out port 0x00e9")]) == 5,
          "-d int,io logs the int 0x21, the #GP and the five port writes, and no instructions")
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


class Rsp:
    """A minimal gdb remote-protocol client for what gdb's batch mode
    cannot do: Ctrl-C while running, sharing the machine with the debugger."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, payload):
        self.sock.sendall(b"$%s#%02x" % (payload.encode(), sum(payload.encode()) & 0xFF))

    def reply(self):
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.sock.sendall(b"+")
                return m.group(1).decode()
            data = self.sock.recv(4096)
            if not data:
                fail("the stub closed the connection")
            self.buf += data

    def ask(self, payload):
        self.send(payload)
        return self.reply()


def test_gdb_attach(sim, build):
    """Ctrl-C stops a running guest; the debugger and gdb share the machine."""
    L, _ = listing(build)
    with tempfile.TemporaryDirectory() as tmp:
        spin = rom_with(tmp, "spin", "jmp $")
        port = free_port()
        p = subprocess.Popen([sim, "-bios", spin, "-display", "none", "-gdb", "tcp::%d" % port],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        g = Rsp(port)
        check(g.ask("?") == "S05", "attaching stops the running guest")
        g.send("c")
        time.sleep(0.3)
        g.sock.sendall(b"\x03")
        check(g.reply() == "S02", "Ctrl-C (0x03) stops it again with SIGINT")
        regs = g.ask("g")
        check(len(regs) == (16 * 4 + 8 * 10 + 8 * 4) * 2 and regs[8 * 8:9 * 8] == "00000000",
              "the register packet has the i386 layout and EIP is the spin loop's 0")
        g.send("k")
        p.wait(timeout=10)

        port = free_port()
        p = subprocess.Popen([sim, "-bios", os.path.join(build, "target.bin"), "-display", "none", "--debug",
                              "-debugcon", "file:" + os.path.join(tmp, "e9"), "-gdb", "tcp::%d" % port],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        g = Rsp(port)
        check(g.ask("Z0,%x,1" % L["rmw"]) == "OK", "gdb sets a breakpoint while the debugger waits")
        check(g.ask("c") == "S05", "gdb's continue stops at it")
        out = p.communicate("info break\nregs\nquit\n", timeout=20)[0]
        print(out)
        check("breakpoint 1 hit" in out and "0000:%08x [0x%08x]" % (L["rmw"], L["rmw"]) in out,
              "the debugger hears where gdb's run stopped")
        check("breakpoint 1: linear 0x%08x (gdb)" % L["rmw"] in out and "eax=00001234" in out,
              "the debugger lists gdb's breakpoint and sees the same registers")


# ---------------------------------------------------------------- window

def read_png(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB PNG whose rows use
    filter 0, with every chunk's CRC checked (PNG spec, ISO/IEC 15948)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s: not a PNG" % path)
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != int.from_bytes(data[pos + 8 + n:pos + 12 + n], "big"):
            fail("%s: bad CRC in %s" % (path, kind))
        if kind == b"IHDR":
            w, h = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            if body[8:13] != bytes([8, 2, 0, 0, 0]):
                fail("%s: not 8-bit RGB" % path)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows = []
    for y in range(h):
        row = raw[y * (1 + 3 * w):(y + 1) * (1 + 3 * w)]
        if row[0] != 0:
            fail("%s: row %d uses filter %d" % (path, y, row[0]))
        rows.append([tuple(row[1 + 3 * x:4 + 3 * x]) for x in range(w)])
    return w, h, rows


def font8x16(source_dir):
    glyphs = []
    for line in open(os.path.join(source_dir, "bios", "font8x16.inc")):
        line = line.split(";")[0].strip()
        if line.startswith("db"):
            glyphs.append([int(v, 16) for v in line[2:].split(",")])
    return glyphs


def expected_text_frame(source_dir):
    """The 720x400 picture of window.asm's mode-3 screen, from the font it
    loads, the IBM mode-3 attribute table and the EGA DAC colours: 9x16
    cells, the ninth column blank for letters, blink on (3-bit background)."""
    glyphs = font8x16(source_dir)
    palette = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F]
    level = [0x00, 0x55, 0xAA, 0xFF]

    def ega(i):
        return (level[((i >> 2) & 1) * 2 + ((i >> 5) & 1)], level[((i >> 1) & 1) * 2 + ((i >> 4) & 1)],
                level[(i & 1) * 2 + ((i >> 3) & 1)])
    cells = {}
    for row, col0, text, attr in [(0, 0, "Hello from x86sim", 0x07), (1, 0, "ABC xyz 123", 0x1E), (24, 77, "END", 0x4F)]:
        for col, ch in enumerate(text, col0):
            cells[(row, col)] = (ord(ch), attr)
    frame = [[(0, 0, 0)] * 720 for _ in range(400)]
    for (row, col), (ch, attr) in cells.items():
        fg, bg = ega(palette[attr & 15]), ega(palette[(attr >> 4) & 7])
        for y in range(16):
            for x in range(9):
                on = x < 8 and (glyphs[ch][y] >> (7 - x)) & 1
                frame[row * 16 + y][col * 9 + x] = fg if on else bg
    return frame


def compare_frame(path, want):
    w, h, rows = read_png(path)
    check((w, h) == (720, 400), "%s is 720x400 (got %dx%d)" % (os.path.basename(path), w, h))
    bad = [(x, y) for y in range(h) for x in range(w) if rows[y][x] != want[y][x]]
    if bad:
        x, y = bad[0]
        print("first wrong pixel (%d,%d): got %s want %s; %d wrong" % (x, y, rows[y][x], want[y][x], len(bad)))
    check(not bad, "%s shows the guest's text pixel for pixel" % os.path.basename(path))


def read_text(path):
    try:
        return open(path).read()
    except FileNotFoundError:
        return ""


def wait_for(predicate, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def read_xwd(path):
    """(width, height, rows of (r, g, b)) of an xwd dump of a 32-bit
    TrueColor or DirectColor window (X11 XWDFile.h: a header of 25
    big-endian CARD32 fields, the window name, ncolors 12-byte colour
    entries, then the ZPixmap).  A DirectColor pixel's fields index the
    colour entries, as Xvfb's default 24-bit visual does."""
    data = open(path, "rb").read()
    field = [int.from_bytes(data[4 * i:4 * i + 4], "big") for i in range(25)]
    header_size, version, pixmap_format, _, w, h = field[0:6]
    byte_order, bits_per_pixel, bytes_per_line, visual_class = field[7], field[11], field[12], field[13]
    masks, ncolors = field[14:17], field[19]
    if version != 7 or pixmap_format != 2 or bits_per_pixel != 32 or visual_class not in (4, 5):
        fail("%s: not a 32-bit TrueColor or DirectColor ZPixmap xwd dump (%s)" % (path, field))
    order = "little" if byte_order == 0 else "big"
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    colours = data[header_size:header_size + 12 * ncolors]
    # XWDColor: pixel (CARD32), red, green, blue (CARD16), flags, pad
    level = [[colours[12 * i + 4 + 2 * c] for i in range(ncolors)] for c in range(3)]
    start = header_size + 12 * ncolors
    colour_of = {}  # pixel value -> (r, g, b); a window shows few colours

    def colour(v):
        rgb = tuple((v & m) >> sh for m, sh in zip(masks, shifts))
        return tuple(level[c][rgb[c]] for c in range(3)) if visual_class == 5 else rgb
    rows = []
    for y in range(h):
        line = data[start + y * bytes_per_line:start + y * bytes_per_line + 4 * w]
        values = memoryview(line).cast("I") if order == sys.byteorder else \
            [int.from_bytes(line[i:i + 4], order) for i in range(0, 4 * w, 4)]
        rows.append([colour_of[v] if v in colour_of else colour_of.setdefault(v, colour(v)) for v in values])
    return w, h, rows


def capture_window(wid, path):
    """What the X server shows in the window, as read_xwd's rows."""
    subprocess.run(["xwd", "-silent", "-id", wid, "-out", path], check=True, timeout=20)
    return read_xwd(path)


def scaled_frame_errors(shot, want):
    """How the window picture differs from the frame shown the way sdl.c
    promises (SDL_RenderSetIntegerScale + logical size): the largest whole
    multiple of the guest size that fits, centred, every guest pixel an
    s x s block of its own colour (nearest neighbour), black around it.
    Returns (scale, list of (x, y, got, want))."""
    w, h, rows = shot
    gw, gh = len(want[0]), len(want)
    scale = max(1, min(w // gw, h // gh))
    ox, oy = (w - gw * scale) // 2, (h - gh * scale) // 2
    bad = []
    for y in range(h):
        gy = (y - oy) // scale
        for x in range(w):
            gx = (x - ox) // scale
            expect = want[gy][gx] if 0 <= gx < gw and 0 <= gy < gh else (0, 0, 0)
            if rows[y][x] != expect:
                bad.append((x, y, rows[y][x], expect))
    return scale, bad


def check_resize(wid, tmp, want, width, height):
    """Resizes the window and checks what the X server shows in it."""
    subprocess.run(["xdotool", "windowmove", "--sync", wid, "0", "0"], timeout=20)  # all of it on the screen
    subprocess.run(["xdotool", "windowsize", "--sync", wid, str(width), str(height)], timeout=20)
    path = os.path.join(tmp, "window-%dx%d.xwd" % (width, height))
    result = {}

    def shows_scaled_frame():
        shot = capture_window(wid, path)
        result["shot"] = shot
        result["scale"], result["bad"] = scaled_frame_errors(shot, want) if shot[:2] == (width, height) else (0, [None])
        return not result["bad"]
    wait_for(shows_scaled_frame, 10)
    w, h, rows = result["shot"]
    check((w, h) == (width, height), "the window was resized to %dx%d (got %dx%d)" % (width, height, w, h))
    palette = {c for row in want for c in row}
    stray = {c for row in rows for c in row} - palette
    check(not stray, "at %dx%d the window shows only the guest's colours (stray: %s)"
          % (width, height, sorted(stray)[:5]))
    bad = result["bad"]
    if bad:
        print("first wrong pixel (%d,%d): got %s want %s; %d wrong" % (bad[0] + (len(bad),)))
    check(not bad, "at %dx%d the guest screen is scaled %dx, each pixel a crisp %dx%d block, centred on black"
          % (width, height, result["scale"], result["scale"], result["scale"]))
    return result["scale"]


def window_title(wid):
    return subprocess.run(["xdotool", "getwindowname", wid], capture_output=True, text=True).stdout.strip()


def xdotool_shell(command, *args):
    """The NAME=number lines an xdotool command prints with --shell, as a dict."""
    out = subprocess.run(["xdotool", command, "--shell", *args], capture_output=True, text=True).stdout
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}


def pointer_location():
    return xdotool_shell("getmouselocation")


def check_mouse_grab(wid):
    """A click grabs the mouse (sdl.c set_grab: SDL relative mouse mode,
    which confines the pointer to the window); the title tells how to
    release it, and Ctrl+Alt+G does."""
    check("click to grab the mouse" in window_title(wid), "before a click the title says how to grab the mouse")
    g = xdotool_shell("getwindowgeometry", wid)
    subprocess.run(["xdotool", "mousemove", "--sync", str(g["X"] + g["WIDTH"] // 2), str(g["Y"] + g["HEIGHT"] // 2),
                    "click", "1"], timeout=10)
    check(wait_for(lambda: "Ctrl+Alt+G releases the mouse" in window_title(wid), 5),
          "a click grabs the mouse and the title says Ctrl+Alt+G releases it (%s)" % window_title(wid))
    outside = (g["X"] + g["WIDTH"] + 100, g["Y"] + g["HEIGHT"] + 100)
    subprocess.run(["xdotool", "mousemove", str(outside[0]), str(outside[1])], timeout=10)
    time.sleep(0.3)
    at = pointer_location()
    check(g["X"] <= at["X"] < g["X"] + g["WIDTH"] and g["Y"] <= at["Y"] < g["Y"] + g["HEIGHT"],
          "the grabbed pointer stays inside the window when moved to %s (at %d,%d)" % (outside, at["X"], at["Y"]))
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+alt+g"], timeout=10)
    check(wait_for(lambda: "click to grab the mouse" in window_title(wid), 5),
          "Ctrl+Alt+G releases the mouse and the title says so again (%s)" % window_title(wid))
    subprocess.run(["xdotool", "mousemove", "--sync", str(outside[0]), str(outside[1])], timeout=10)
    at = pointer_location()
    check((at["X"], at["Y"]) == outside, "the released pointer leaves the window (at %d,%d)" % (at["X"], at["Y"]))


def test_window_keys(sim, build):
    test_window(sim, build, "window_keys")


def test_window(sim, build, name="window"):
    """The window under Xvfb: its size and title, Ctrl+Alt+S and
    --screenshot against the picture computed from the font; window
    also resizes the window and checks what Xvfb shows in it, and grabs and
    releases the mouse; window_keys types a key and expects the guest to
    see its scancode."""
    if "-display sdl|none" not in run(sim, ["--help"]).stdout:
        print("SKIP: built without SDL")
        sys.exit(SKIP)
    if not os.environ.get("DISPLAY"):
        r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, os.path.abspath(__file__),
                            name, sim, build], timeout=180)
        sys.exit(r.returncode)
    keys = name == "window_keys"
    source_dir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    want = expected_text_frame(source_dir)
    with tempfile.TemporaryDirectory() as tmp:
        e9 = os.path.join(tmp, "e9")
        end_png = os.path.join(tmp, "end.png")
        p = subprocess.Popen([sim, "-bios", os.path.join(build, "window.bin"), "-display", "sdl", "-debugcon", "file:" + e9,
                              "--screenshot", end_png], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            check(wait_for(lambda: "READY" in read_text(e9), 20), "the guest drew its screen")
            wid = subprocess.run(["xdotool", "search", "--sync", "--name", "^x86sim"], capture_output=True, text=True,
                                 timeout=20).stdout.split()
            check(len(wid) >= 1, "the window exists")
            wid = wid[0]
            check(wait_for(lambda: "MIPS" in window_title(wid), 5), "the title shows the state and the speed")
            title = window_title(wid)
            print("title:", title)
            geometry = subprocess.run(["xdotool", "getwindowgeometry", wid], capture_output=True, text=True).stdout
            check("720x400" in geometry, "the window has the guest's 720x400 size (%s)" % geometry.split("Geometry:")[-1].strip())
            subprocess.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+alt+s"], timeout=10)
            shot = os.path.join(tmp, "x86sim-screenshot-1.png")
            check(wait_for(lambda: os.path.exists(shot) and os.path.getsize(shot) > 0, 10), "Ctrl+Alt+S saves a screenshot")
            time.sleep(0.2)
            compare_frame(shot, want)
            if not keys:
                check_resize(wid, tmp, want, 1440, 800)
                check_resize(wid, tmp, want, 1500, 850)
                check_resize(wid, tmp, want, 1000, 700)
                check_mouse_grab(wid)
            if keys and "NOKBD" in read_text(e9):
                print("SKIP: no keyboard controller in this build yet")
                sys.exit(SKIP)
            if keys:
                subprocess.run(["xdotool", "key", "a"], timeout=10)
                check(wait_for(lambda: "KEY 1e" in read_text(e9), 10), "a key typed in the window reaches the guest (a = 0x1e)")
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
        check(p.returncode == 10, "SIGTERM ends the windowed run with status 10")
        compare_frame(end_png, want)


if __name__ == "__main__":
    test, sim, build = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    globals()["test_" + test](sim, build)
    print("PASS")
