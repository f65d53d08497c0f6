# bench/common.sh - sourced by the bench/run_*.sh scripts: the paths, a
# scratch directory removed on exit, host timing, and what the runs on the
# peer emulators (Bochs, QEMU) share.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
sim=${X86SIM:-$top/build/x86sim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# peer_deps [PACKAGE...]: installs Bochs (with its BIOS) and QEMU, and more.
peer_deps() { "$top/scripts/setup-deps.sh" bochs bochsbios qemu-system-x86 "$@" >/dev/null; }

now() { date +%s.%N; }
# seconds_since START: host seconds from START (a `now`) until now.
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# bochs_config FILE LINE...: a bochsrc of the given lines and the settings
# every benchmark shares (no window, no throttling to real time, port E9
# output, no log), and FILE.rc, debugger commands that just run.
bochs_config() {
    local file=$1
    shift
    printf '%s\n' "$@" 'port_e9_hack: enabled=1' 'clock: sync=none' \
        'display_library: rfb, options="timeout=0"' 'log: /dev/null' >"$file"
    echo c >"$file.rc"
}

# rom_on_every_emulator ROM EXPECT [INSTRUCTIONS]: runs a bare-metal ROM
# that ends by printing "CHECKSUM value" on port 0xE9 as the firmware of
# x86sim, Bochs and QEMU (TCG, one thread); prints each one's host seconds
# (and MIPS when the instruction count is given) and whether its checksum
# is EXPECT, then the ratios of x86sim's time to the others'.  The times
# stay in secs[x86sim], secs[bochs], secs[qemu].
declare -A secs
rom_on_every_emulator() {
    local rom=$1 expect=$2 insns=${3:-} emu start got verdict mips
    local -a cmd
    bochs_config "$work/bochsrc" "megs: 32" "romimage: file=$rom"
    for emu in x86sim bochs qemu; do
        case $emu in
        x86sim) cmd=("$sim" -bios "$rom" -nographic -debugcon stdio) ;;
        bochs) cmd=(bochs -q -f "$work/bochsrc" -rc "$work/bochsrc.rc") ;;
        qemu) cmd=(qemu-system-i386 -accel tcg,thread=single -bios "$rom" -display none
                   -debugcon stdio -device isa-debug-exit,iobase=0x501,iosize=2) ;;
        esac
        start=$(now)
        got=$("${cmd[@]}" 2>&1 | grep -ao 'CHECKSUM [0-9a-f]*' | tail -1 | cut -d' ' -f2 || true)
        secs[$emu]=$(seconds_since "$start")
        verdict="checksum OK"
        [ "$got" = "$expect" ] || verdict="CHECKSUM WRONG (got '$got', want $expect)"
        mips=""
        [ -z "$insns" ] || mips=$(awk -v i="$insns" -v s="${secs[$emu]}" 'BEGIN { printf "%7.0f MIPS", i / s / 1e6 }')
        printf '%-8s %8s s  %s  %s\n' "$emu" "${secs[$emu]}" "$mips" "$verdict"
    done
    awk -v x="${secs[x86sim]}" -v b="${secs[bochs]}" -v q="${secs[qemu]}" 'BEGIN {
        printf "x86sim time / Bochs time = %.3f\nx86sim time / QEMU time  = %.2f\n", x / b, x / q }'
}
