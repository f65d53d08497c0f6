/* The libFuzzer entry point of the CPU fuzz target (built with clang when
 * X86SIM_FUZZ is on).  The body is fuzz_cpu.c; see tests/fuzz/README. */
#include <stdlib.h>

#include "fuzz_cpu.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *budget = getenv("X86SIM_FUZZ_BUDGET");
    fuzz_cpu_init(budget ? strtoull(budget, NULL, 0) : 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cpu_run(data, size);
    return 0;
}
