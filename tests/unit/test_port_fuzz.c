/* Robustness: random accesses of every size to every port (weighted
 * toward the chips' ports), random PCI configuration cycles, input events
 * and time steps never crash the host, never hang, and leave a machine
 * that still runs.  The ctest run is short; X86SIM_FUZZ_ITERATIONS makes
 * it as long as wanted (CI runs it under ASan and UBSan). */
#include "devtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pc.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    /* xorshift64*: reproducible from the seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static const uint16_t chip_ports[] = {
    0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x60, 0x64,
    0x92, 0xF0, 0xCF8, 0xCF9, 0xCFC, 0xCFD, 0xCFE, 0xCFF, 0x80, 0xE9,
    0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x2F8, 0x2FA, 0x2FC, 0x3E8, 0x2E8,
};

static void test_random_ports(void **s)
{
    (void)s;
    static uint8_t bios[0x10000];
    memset(bios, 0xF4, sizeof bios);
    machine_config_t cfg = {.ram_mb = 2, .bios_image = bios, .bios_size = sizeof bios, .rtc_start = 0};
    char err[256];
    machine_t *m = machine_create(&cfg, err, sizeof err);
    assert_non_null(m);
    long iterations = 300000;
    const char *env = getenv("X86SIM_FUZZ_ITERATIONS");
    if (env)
        iterations = strtol(env, NULL, 0);
    const char *seed = getenv("X86SIM_FUZZ_SEED");
    if (seed)
        rng_state = strtoull(seed, NULL, 0) | 1;
    static const unsigned sizes[3] = {1, 2, 4};
    for (long k = 0; k < iterations; k++) {
        uint32_t r = rnd();
        uint16_t port = (r & 3) ? chip_ports[rnd() % (sizeof chip_ports / sizeof chip_ports[0])]
                                : (uint16_t)rnd();
        unsigned size = sizes[rnd() % 3];
        switch (r >> 28) {
        case 0: case 1: case 2: case 3: case 4: case 5:
            ioport_write(&m->io, port, rnd(), size);
            break;
        case 6: case 7: case 8: case 9:
            ioport_read(&m->io, port, size);
            break;
        case 10: /* the CPU acknowledges whatever is pending */
            if (m->cpu.intr)
                pic_intr_ack(&m->pic);
            break;
        case 11:
            pci_config_write(&m->pci, (uint8_t)rnd(), (uint8_t)rnd(), rnd(), sizes[rnd() % 3]);
            break;
        case 12:
            machine_key(m, (uint16_t)(rnd() & 1 ? rnd() & 0x7F : 0xE000 | (rnd() & 0xFF)), rnd() & 1);
            break;
        case 13:
            machine_mouse(m, (int)(rnd() % 2001) - 1000, (int)(rnd() % 2001) - 1000,
                          (int)(rnd() % 21) - 10, rnd() & 7);
            break;
        default: { /* time passes: up to about 2 ms of instructions */
            m->cpu.icount += rnd() % 500000;
            clock_run_due(&m->clock);
            break;
        }
        }
    }
    /* The machine still runs to its budget (the HLT BIOS idles on timers,
     * or powers off when nothing can wake it). */
    m->reset_pending = m->cpu_reset_pending = false;
    machine_stop_t why = machine_run(m, m->cpu.icount + m->idle_insns + 200000);
    assert_true(why == STOP_MAX_INSNS || why == STOP_POWEROFF);
    machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
