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
