#!/bin/bash
# Host memory: boots the default guest (build/guest, scripts/build-guest.sh)
# with -kernel to the shell prompt, once headless and once in the window
# when a display exists, and prints x86sim's peak resident size and the
# part outside the guest's RAM (the target: under 64 MiB).
# usage: bench/run_memory.sh [RAM_MIB]   (default 128)
set -eu
source "$(dirname "$0")/common.sh"
ram=${1:-128}
guest=$top/build/guest
[ -f "$guest/vmlinuz" ] || "$top/scripts/build-guest.sh" "$guest" >/dev/null

# peak_kib OPTIONS...: runs x86sim to the prompt, sampling /proc/PID/smaps
# every 50 ms; prints the peak resident KiB in all, the peak outside the
# guest RAM mapping (the one mapping of the RAM's size, give or take its
# 2 MiB alignment), which is what the emulator itself uses, and the
# anonymous (allocated, not file-backed) part of that.  Under Xvfb the
# window's renderer is Mesa's software OpenGL, whose libLLVM alone is
# about 50 MiB of library code.
peak_kib() {
    python3 - "$ram" "$sim" "$@" <<'EOF'
import subprocess, sys, tempfile, time
ram_kib = int(sys.argv[1]) * 1024
# Standard error to a file: a pipe read only at the end could fill and stall the run.
errors = tempfile.TemporaryFile(mode="w+")
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
peak_all = peak_own = peak_anon = 0
while p.poll() is None:
    try:
        total = guest = anon = 0
        size = None
        with open("/proc/%d/smaps" % p.pid) as f:
            for line in f:
                if line.startswith("Size:"):
                    size = int(line.split()[1])
                    in_guest = ram_kib <= size <= ram_kib + 4096
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
                    total += rss
                    guest += rss if in_guest else 0
                elif line.startswith("Anonymous:") and not in_guest:
                    anon += int(line.split()[1])
        peak_all = max(peak_all, total)
        peak_own = max(peak_own, total - guest)
        peak_anon = max(peak_anon, anon)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    time.sleep(0.05)
if p.returncode != 0:
    errors.seek(0)
    sys.exit("x86sim ended with status %d: %s" % (p.returncode, errors.read().strip()))
print(peak_all, peak_own, peak_anon)
EOF
}

report() { # label "ALL OWN ANON" (KiB)
    set -- "$1" $2
    awk -v l="$1" -v all="$2" -v own="$3" -v anon="$4" 'BEGIN {
        printf "%-9s peak RSS %6.1f MiB; outside the guest RAM %6.1f MiB (target < 64),", l, all / 1024, own / 1024
        printf " of which allocated memory %5.1f MiB, the rest program and library code\n", anon / 1024 }'
}

boot=(-m "$ram" -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img"
      -append "console=ttyS0 cryptomgr.notests noisapnp" --stop-on-serial "# " --timeout 300)
report headless "$(peak_kib "${boot[@]}" -display none -serial stdio)"
if [ -n "${DISPLAY:-}" ]; then
    report window "$(peak_kib "${boot[@]}" -display sdl -serial stdio)"
fi
