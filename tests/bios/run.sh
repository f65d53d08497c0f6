#!/bin/bash
# Runs one BIOS test on QEMU or on x86sim and waits for its verdict.
#
# usage: run.sh EMULATOR X86SIM BIOS OUTPREFIX TIMEOUT EXPECT [-- emulator options]
#   EMULATOR   qemu or x86sim
#   X86SIM     the x86sim program (for EMULATOR=x86sim)
#   BIOS       the BIOS image (build/roms/bios.bin)
#   OUTPREFIX  where the debug port and serial output go (.debug, .serial)
#   TIMEOUT    seconds
#   EXPECT     patterns (grep -E), separated by " && ", that all must appear
#              on the debug port or the serial port for success; a line
#              starting with "FAIL" on either means failure
# Options after "--" are the machine's (-fda, -hda, -cdrom, -boot, -m, ...),
# spelled as QEMU spells them; x86sim takes the same names.  "@empty" stands
# for an empty argument (an empty drive), which CMake cannot pass.
# Exits 0 on success, 1 on failure, 77 (ctest's skip) when x86sim lacks an
# option the test needs.
set -u
emulator=$1 x86sim=$2 bios=$3 out=$4 timeout=$5 expect=$6
shift 6
[ "${1:-}" = "--" ] && shift
args=()
for a in "$@"; do
    [ "$a" = "@empty" ] && a=""
    args+=("$a")
done
set -- "${args[@]}"

debug=$out.debug serial=$out.serial
rm -f "$debug" "$serial"
: > "$debug"
: > "$serial"

case $emulator in
qemu)
    cmd=(qemu-system-i386 -M pc -m 128 -bios "$bios" -display none -no-reboot
         -debugcon "file:$debug" -serial "file:$serial"
         -device isa-debug-exit,iobase=0xf4,iosize=4 "$@")
    ;;
x86sim)
    help=$("$x86sim" --help 2>&1)
    for opt in "$@"; do
        case $opt in
        -*) if ! grep -q -- "$opt" <<< "$help"; then
                echo "run.sh: x86sim has no $opt option yet: skipped"
                exit 77
            fi ;;
        esac
    done
    if ! grep -q -- "-serial" <<< "$help"; then
        echo "run.sh: x86sim has no -serial option yet: skipped"
        exit 77
    fi
    cmd=("$x86sim" -bios "$bios" -nographic -debugcon "file:$debug" -serial "file:$serial"
         -device isa-debug-exit,iobase=0xf4,iosize=4 "$@")
    ;;
*)
    echo "run.sh: unknown emulator $emulator"
    exit 1
    ;;
esac

# found: all the EXPECT patterns are in the output
found() {
    local rest=$expect pattern
    while :; do
        pattern=${rest%% && *}
        grep -qE -- "$pattern" "$debug" "$serial" 2>/dev/null || return 1
        [ "$pattern" = "$rest" ] && return 0
        rest=${rest#* && }
    done
}

"${cmd[@]}" > "$out.log" 2>&1 &
pid=$!
verdict=1
deadline=$((SECONDS + timeout))
while :; do
    if found; then
        verdict=0
        break
    fi
    if grep -q "^FAIL" "$debug" "$serial" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        # exited: look once more (the last output may have just arrived)
        found && ! grep -q "^FAIL" "$debug" "$serial" && verdict=0
        break
    fi
    if [ $SECONDS -ge $deadline ]; then
        echo "run.sh: timed out after $timeout s"
        break
    fi
    sleep 0.2
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
echo "---- ${cmd[*]}"
echo "---- debug port:"
cat "$debug"
echo "---- serial port:"
tail -c 4000 "$serial"
echo "---- emulator:"
tail -c 2000 "$out.log"
[ $verdict -eq 0 ] && echo "run.sh: PASS ($expect)" || echo "run.sh: FAIL (no $expect)"
exit $verdict
