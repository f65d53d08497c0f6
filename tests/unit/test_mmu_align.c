/* Alignment checking in the MMU (the CPU arms it while CR0.AM and
 * EFLAGS.AC are set; SDM vol. 3, 6.15 "Interrupt 17"): only accesses
 * through the user TLB are checked, against their size (a qword against 8),
 * before any byte moves or any translation; the user TLB's fast data paths
 * stay closed while armed and open again when disarmed; the supervisor TLB
 * never changes.
 */
#include "mmu_fixture.h"

#define LIN 0x00401000u
#define PA 0x00200000u

static int ac_calls; /* #AC callbacks */

static void fx_align_fault(void *opaque)
{
    mmu_fx_t *fx = opaque;
    ac_calls++;
    if (!fx->armed)
        fail_msg("unexpected #AC");
    longjmp(fx->jb, 1);
}

/* Runs `stmt`, which must raise #AC (and nothing else). */
#define EXPECT_AC(fx, stmt)                                                                        \
    do {                                                                                           \
        int before_ = ac_calls, pf_ = (fx)->faults;                                                    \
        (fx)->armed = true;                                                                        \
        if (setjmp((fx)->jb) == 0) {                                                               \
            stmt;                                                                                  \
            (fx)->armed = false;                                                                   \
            fail_msg("no #AC from: %s", #stmt);                                                    \
        }                                                                                          \
        (fx)->armed = false;                                                                       \
        assert_int_equal(ac_calls, before_ + 1);                                                       \
        assert_int_equal((fx)->faults, pf_);                                                       \
    } while (0)

static int setup(void **state)
{
    if (fx_setup(state))
        return -1;
    mmu_fx_t *fx = *state;
    ac_calls = 0;
    fx->mmu.align_fault = fx_align_fault;
    /* LIN -> PA, a user page, and the page after it. */
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PA, PTE_P | PTE_W | PTE_U | PTE_D);
    map32(fx, LIN + PAGE_SIZE, FX_PT1, PTE_P | PTE_W | PTE_U, PA + PAGE_SIZE,
          PTE_P | PTE_W | PTE_U | PTE_D);
    for (uint32_t k = 0; k < 16; k += 4)
        set_ram32(fx, PA + k, 0x03020100u + k * 0x01010101u);
    paging32(fx, 0, 0);
    return 0;
}

/* Off: misaligned user accesses are plain accesses. */
static void off_checks_nothing(void **state)
{
    mmu_fx_t *fx = *state;
    assert_int_equal(mmu_read16(&fx->mmu, usr(fx), LIN + 1), 0x0201);
    assert_int_equal(mmu_read32(&fx->mmu, usr(fx), LIN + 2), 0x05040302u);
    assert_true(mmu_read64(&fx->mmu, usr(fx), LIN + 4) == 0x0B0A090807060504ull);
    assert_int_equal(ac_calls, 0);
}

/* On: each size against its own alignment; bytes and aligned accesses
 * pass; a faulting write changes nothing. */
static void on_checks_user_accesses(void **state)
{
    mmu_fx_t *fx = *state;
    mmu_t *m = &fx->mmu;
    mmu_set_align_check(m, true);
    assert_int_equal(mmu_read8(m, usr(fx), LIN + 3), 0x03);
    assert_int_equal(mmu_read16(m, usr(fx), LIN + 2), 0x0302);
    assert_int_equal(mmu_read32(m, usr(fx), LIN + 4), 0x07060504u);
    assert_true(mmu_read64(m, usr(fx), LIN + 8) == 0x0F0E0D0C0B0A0908ull);
    EXPECT_AC(fx, mmu_read16(m, usr(fx), LIN + 1));
    EXPECT_AC(fx, mmu_read32(m, usr(fx), LIN + 2));
    EXPECT_AC(fx, mmu_read64(m, usr(fx), LIN + 4));
    EXPECT_AC(fx, mmu_write32(m, usr(fx), LIN + 1, 0xFFFFFFFFu));
    EXPECT_AC(fx, mmu_write64(m, usr(fx), LIN + 12, ~0ull));
    assert_int_equal(ram32(fx, PA), 0x03020100u);
    assert_int_equal(ram32(fx, PA + 12), 0x0F0E0D0Cu);
    EXPECT_AC(fx, mmu_check_align(m, usr(fx), LIN + 2, 4));
    mmu_check_align(m, usr(fx), LIN + 16, 16);
}

/* A misaligned access across a page boundary faults before any part of
 * it is written. */
static void page_crossing_faults_first(void **state)
{
    mmu_fx_t *fx = *state;
    mmu_set_align_check(&fx->mmu, true);
    set_ram32(fx, PA + PAGE_SIZE - 4, 0x11111111u);
    set_ram32(fx, PA + PAGE_SIZE, 0x22222222u);
    EXPECT_AC(fx, mmu_write32(&fx->mmu, usr(fx), LIN + PAGE_SIZE - 2, 0xFFFFFFFFu));
    assert_int_equal(ram32(fx, PA + PAGE_SIZE - 4), 0x11111111u);
    assert_int_equal(ram32(fx, PA + PAGE_SIZE), 0x22222222u);
}

/* #AC comes before the translation: a misaligned access to a missing page
 * gives #AC, not #PF. */
static void before_translation(void **state)
{
    mmu_fx_t *fx = *state;
    mmu_set_align_check(&fx->mmu, true);
    EXPECT_AC(fx, mmu_read32(&fx->mmu, usr(fx), 0x00800001u));
    EXPECT_PF(fx, mmu_read32(&fx->mmu, usr(fx), 0x00800000u), 0x00800000u, PF_U);
}

/* The supervisor TLB (CPL 0-2, system structures) is never checked and
 * keeps its fast paths. */
static void supervisor_unchecked(void **state)
{
    mmu_fx_t *fx = *state;
    mmu_set_align_check(&fx->mmu, true);
    assert_int_equal(mmu_read32(&fx->mmu, sup(fx), LIN + 2), 0x05040302u);
    mmu_write16(&fx->mmu, sup(fx), LIN + 1, 0xBEEF);
    assert_int_equal(ram32(fx, PA), 0x03BEEF00u);
    assert_true(mmu_read64(&fx->mmu, sup(fx), LIN + 4) == 0x0B0A090807060504ull);
    assert_int_equal(tlb_slot(sup(fx), LIN)->tag_r, LIN);
    assert_int_equal(ac_calls, 0);
}

/* While on, a user entry filled before it (fast) is gone and new ones
 * have closed data paths; off again, they open. */
static void fast_paths_follow_the_switch(void **state)
{
    mmu_fx_t *fx = *state;
    mmu_t *m = &fx->mmu;
    mmu_read32(m, usr(fx), LIN);
    assert_int_equal(tlb_slot(usr(fx), LIN)->tag_r, LIN);
    mmu_set_align_check(m, true);
    EXPECT_AC(fx, mmu_read16(m, usr(fx), LIN + 1)); /* the old entry does not let it through */
    mmu_read32(m, usr(fx), LIN);
    assert_int_equal(tlb_slot(usr(fx), LIN)->tag_r, TLB_NO_TAG);
    assert_int_equal(tlb_slot(usr(fx), LIN)->tag_w, TLB_NO_TAG);
    assert_true(mmu_rmw_ptr(usr(fx), LIN, 4) == NULL);
    mmu_set_align_check(m, false);
    assert_int_equal(mmu_read16(m, usr(fx), LIN + 1), 0x0201);
    assert_int_equal(tlb_slot(usr(fx), LIN)->tag_r, LIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(off_checks_nothing, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(on_checks_user_accesses, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(page_crossing_faults_first, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(before_translation, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(supervisor_unchecked, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(fast_paths_follow_the_switch, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
