#!/bin/sh
# Runs a bare-metal guest test ROM: passes when the guest printed PASS on
# the debug port, printed no FAIL, and powered off (halt with IF=0).  A ROM
# that contains the text "x86sim-expect-status=N" must instead end with
# x86sim's exit status N (4: a triple fault), still after printing PASS.
# usage: run_guest.sh X86SIM ROM [extra x86sim options]
sim=$1 rom=$2
shift 2
expect=$(grep -a -o 'x86sim-expect-status=[0-9]*' "$rom" | head -n 1 | cut -d= -f2)
[ -n "$expect" ] || expect=0
out=$("$sim" -bios "$rom" -nographic -debugcon stdio --max-insns 200000000 "$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ $status -ne "$expect" ]; then
    echo "run_guest: x86sim exited with status $status, expected $expect"
    exit 1
fi
case "$out" in
*FAIL*) exit 1 ;;
*PASS*) exit 0 ;;
esac
echo "run_guest: no PASS line"
exit 1
