/* The CPU fuzz target: one body (fuzz_cpu.c) that two drivers share, the
 * libFuzzer entry point (fuzz_cpu_libfuzzer.c, built with clang when
 * X86SIM_FUZZ is on) and the standalone random-stream driver
 * (fuzz_cpu_random.c, built by default and run by ctest).
 *
 * An input is a header that chooses the machine state (mode, paging,
 * EFLAGS, interrupts, debug registers, checking) and a seed for the tables
 * and memory, then the bytes of an instruction stream.  fuzz_cpu_run puts
 * them on a real PC board (devices/pc.h), runs a bounded number of
 * instructions, and aborts with a message when the CPU leaves an
 * architecturally impossible state; a crash, a sanitizer report or a hang
 * inside it is a bug of the emulator.
 */
#ifndef X86SIM_FUZZ_CPU_H
#define X86SIM_FUZZ_CPU_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the header: the rest of an input is code. */
#define FUZZ_HEADER 8

/* What the runs did, for the drivers' summaries. */
typedef struct fuzz_stats {
    uint64_t streams;
    uint64_t insns;       /* instructions retired */
    uint64_t events;      /* exceptions and interrupts delivered */
    uint64_t checked;     /* streams run one step at a time with the invariants */
    uint64_t shutdowns;   /* triple faults */
    uint64_t mode[8];     /* streams per starting mode (FUZZ_MODE_*) */
    uint64_t ended_pm;    /* streams that ended in protected mode */
    uint64_t ended_v86;   /* ... in V86 mode */
} fuzz_stats_t;

/* Creates the machine the inputs run on (once per process).  budget is
 * the number of instructions per input (0: the default). */
void fuzz_cpu_init(uint64_t budget);
/* Runs one input from a clean machine. */
void fuzz_cpu_run(const uint8_t *data, size_t len);
const fuzz_stats_t *fuzz_cpu_stats(void);
void fuzz_cpu_free(void);

/* Fills buf (len > FUZZ_HEADER) with a random input from rng_state: a
 * random header and a stream mixing random bytes with instructions that
 * reach the system paths (far transfers through the test's selectors, INT,
 * IRET, control registers, port I/O, stores into the descriptor and page
 * tables).  The random driver's streams; any byte string is a valid input. */
void fuzz_cpu_generate(uint64_t *rng_state, uint8_t *buf, size_t len);

#endif
