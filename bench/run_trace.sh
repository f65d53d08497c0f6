#!/bin/bash
# Tracing cost: runs bench/trace/loop.asm with the fast loop (no tracer),
# in single-step mode with the tracer attached but filtering every
# instruction out (--trace-addr), and with the full trace written to a file;
# prints MIPS for each and the slowdown factors against the fast loop.
# usage: bench/run_trace.sh [ROUNDS_FAST] [ROUNDS_TRACED]   (default 64 and 8;
# each round is 262,142 instructions)
set -eu
source "$(dirname "$0")/common.sh"
fast_rounds=${1:-64}
traced_rounds=${2:-8}

insns() { echo $(( $1 * (2 + 65535 * 4) + 5 )); }
mips() { # rounds seconds
    awk -v n="$(insns "$1")" -v s="$2" 'BEGIN { printf "%.1f", n / s / 1e6 }'
}
timed() { # rounds extra-options...
    local rounds=$1 start end
    shift
    nasm -f bin -DOUTER="$rounds" -o "$work/loop$rounds.bin" "$here/trace/loop.asm"
    start=$(date +%s.%N)
    "$sim" -bios "$work/loop$rounds.bin" -display none "$@"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

t_fast=$(timed "$fast_rounds")
t_step=$(timed "$traced_rounds" --trace /dev/null --trace-addr 0:0)
t_full=$(timed "$traced_rounds" --trace "$work/trace.txt")
m_fast=$(mips "$fast_rounds" "$t_fast")
m_step=$(mips "$traced_rounds" "$t_step")
m_full=$(mips "$traced_rounds" "$t_full")
lines=$(wc -l < "$work/trace.txt")
printf "%-44s %8s MIPS  (%s s, %s instructions)\n" "fast loop (no tracer)" "$m_fast" "$t_fast" "$(insns "$fast_rounds")"
printf "%-44s %8s MIPS  (%s s)   slowdown x%s\n" "single-step, tracer filtering everything out" "$m_step" "$t_step" \
    "$(awk -v a="$m_fast" -v b="$m_step" 'BEGIN { printf "%.1f", a / b }')"
printf "%-44s %8s MIPS  (%s s, %s lines)   slowdown x%s\n" "full trace to a file" "$m_full" "$t_full" "$lines" \
    "$(awk -v a="$m_fast" -v b="$m_full" 'BEGIN { printf "%.1f", a / b }')"
