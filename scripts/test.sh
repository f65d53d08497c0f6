#!/bin/bash
# Builds x86sim and runs every test: the normal build, then an
# AddressSanitizer + UndefinedBehaviorSanitizer build of the same tests
# (the ones labelled "slow" are left to the normal build).
set -eu
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DX86SIM_SANITIZE=ON -DX86SIM_SDL=OFF
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=0 ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE slow
