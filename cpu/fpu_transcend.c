/* The x87 transcendental instructions in integer code.
 *
 * Values are carried in `xf`, a binary floating-point type with a 128-bit
 * significand, far more than the 64 bits of the result, and each function
 * is written as "leading term + correction" so that the final rounding
 * (fp_round, with the control word's rounding mode) sees on which side of
 * the leading term the true value lies: sin(r) = r - r^3 S(r^2),
 * cos(r) = 1 - r^2 C(r^2) and so on.  The results are the correctly rounded
 * values of the functions, except for the argument reduction of FSIN, FCOS,
 * FSINCOS and FPTAN, which, like the hardware, subtracts multiples of pi/2
 * taken from the 66-bit approximation of pi the SDM documents (vol. 1,
 * 8.3.8: 0.C90FDAA22168C234C * 2^2), so that FSIN(x) computes
 * sin(x * pi / Pi) as the hardware does, not sin(x).
 *
 * The 128-bit constants below are the exact values rounded to nearest,
 * computed once with a 600-bit multiple-precision calculation.
 */
#include "fpu_internal.h"

/* value = mant * 2^(exp - 127); mant has bit 127 set, or is 0 for zero. */
typedef struct xf {
    bool sign;
    int32_t exp;
    u128 mant;
} xf_t;

#define XF_CONST(hi, lo, e) {false, e, ((u128)(hi) << 64) | (lo)}
static const xf_t xf_one = XF_CONST(0x8000000000000000ull, 0, 0);
static const xf_t xf_pi = XF_CONST(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 1);
static const xf_t xf_pi_2 = XF_CONST(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 0);
static const xf_t xf_pi_4 = XF_CONST(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, -1);
static const xf_t xf_3pi_4 = XF_CONST(0x96CBE3F9990E91A7ull, 0x9394C9E8A0A5159Dull, 1);
static const xf_t xf_ln2 = XF_CONST(0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, -1);
static const xf_t xf_log2e = XF_CONST(0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E89ull, 0);
/* atan(k/8), k = 1..8 */
static const xf_t xf_atan_k8[8] = {
    XF_CONST(0xFEADD4D5617B6E32ull, 0xC897989F3E888EF8ull, -4),
    XF_CONST(0xFADBAFC96406EB15ull, 0x6DC79EF5F7A217E6ull, -3),
    XF_CONST(0xB7B0CA0F26F78473ull, 0x8AA32122DCFE4483ull, -2),
    XF_CONST(0xED63382B0DDA7B45ull, 0x6FE445ECBC3A8D03ull, -2),
    XF_CONST(0x8F005D5EF7F59F9Bull, 0x5C835E1665C43748ull, -1),
    XF_CONST(0xA4BC7D1934F70924ull, 0x19A87F2A457DAC9Full, -1),
    XF_CONST(0xB8053E2BC2319E73ull, 0xCB2DA55210A4443Dull, -1),
    XF_CONST(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, -1),
};
/* pi/2 as the hardware reduces with it: pi rounded to 66 significant bits,
 * halved, as an integer in units of 2^-67. */
static const u128 pi66_half = ((u128)0xCull << 64) | 0x90FDAA22168C234Cull;

static xf_t xf_make(bool sign, int32_t exp, u128 mant)
{
    if (!mant)
        return (xf_t){sign, 0, 0};
    int n = clz128(mant);
    return (xf_t){sign, exp - n, mant << n};
}

static xf_t xf_from_f80(float80_t a)
{
    if (f80_is_zero(a))
        return (xf_t){f80_sign(a), 0, 0};
    fpnum_t x = fp_unpack(a);
    return (xf_t){x.sign, x.exp, (u128)x.mant << 64};
}

static xf_t xf_from_int(int64_t v)
{
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return xf_make(v < 0, 127, m);
}

static xf_t xf_neg(xf_t a)
{
    a.sign = !a.sign;
    return a;
}

static xf_t xf_mul(xf_t a, xf_t b)
{
    if (!a.mant || !b.mant)
        return (xf_t){a.sign ^ b.sign, 0, 0};
    uint64_t ah = (uint64_t)(a.mant >> 64), al = (uint64_t)a.mant;
    uint64_t bh = (uint64_t)(b.mant >> 64), bl = (uint64_t)b.mant;
    u128 ll = (u128)al * bl, lh = (u128)al * bh, hl = (u128)ah * bl, hh = (u128)ah * bh;
    u128 mid = (ll >> 64) + (uint64_t)lh + (uint64_t)hl;
    u128 hi = hh + (lh >> 64) + (hl >> 64) + (mid >> 64);
    int32_t exp = a.exp + b.exp + 1;
    if (!(hi >> 127)) {
        hi = (hi << 1) | ((uint64_t)mid >> 63);
        exp--;
    }
    return (xf_t){a.sign ^ b.sign, exp, hi};
}

static xf_t xf_add(xf_t a, xf_t b)
{
    if (!b.mant)
        return a;
    if (!a.mant)
        return b;
    if (a.exp < b.exp || (a.exp == b.exp && a.mant < b.mant)) {
        xf_t t = a;
        a = b;
        b = t;
    }
    int64_t d = (int64_t)a.exp - b.exp;
    u128 big = a.mant >> 1, small = d >= 127 ? 0 : (b.mant >> 1) >> d;
    return xf_make(a.sign, a.exp + 1, a.sign == b.sign ? big + small : big - small);
}

static xf_t xf_sub(xf_t a, xf_t b) { return xf_add(a, xf_neg(b)); }

/* a / b, truncated to 128 bits. */
static xf_t xf_div(xf_t a, xf_t b)
{
    u128 q = 0, r = a.mant;
    bool carry = false;
    for (int k = 0; k < 128; k++) {
        bool bit = carry || r >= b.mant;
        if (bit)
            r -= b.mant;
        q = (q << 1) | bit;
        carry = r >> 127;
        r <<= 1;
    }
    return xf_make(a.sign ^ b.sign, a.exp - b.exp, q);
}

/* a / d for a small positive integer d. */
static xf_t xf_div_small(xf_t a, uint32_t d)
{
    u128 q = a.mant / d;
    uint64_t r = (uint64_t)(a.mant % d);
    int n = clz128(q);
    q = (q << n) | (((u128)r << n) / d);
    return (xf_t){a.sign, a.exp - n, q};
}

/* Rounds main + corr to the extended format.  `main` is exact or far
 * more precise than the 64 result bits; the sum keeps the sign of a
 * correction too small to be represented as a sticky bit, so directed
 * rounding lands on the right side of `main`.  Transcendental results are
 * never exact: the sticky bit is always set. */
static float80_t xf_round(fpenv_t *e, xf_t main, xf_t corr)
{
    if (corr.mant && main.mant && (corr.exp > main.exp || (corr.exp == main.exp && corr.mant > main.mant))) {
        xf_t t = main;
        main = corr;
        corr = t;
    }
    if (!main.mant)
        main = corr, corr.mant = 0;
    u128 big = main.mant >> 1;
    u128 small = 0;
    if (corr.mant) {
        int64_t d = (int64_t)main.exp - corr.exp;
        small = shr_sticky(corr.mant >> 1 | (corr.mant & 1), d > 200 ? 200 : (int)d);
    }
    u128 s = corr.sign == main.sign ? big + small : big - small;
    if (s == 0)
        s = 1;
    fpformat_t f = fmt_ext;
    f.prec = 64;
    return fp_pack_ext(fp_round(e, main.sign, main.exp + 1, s | 1, &f));
}

static const xf_t xf_zero = {false, 0, 0};

/* ---------------------------------------------------------------- series */

/* S(r^2) and C(r^2) with sin r = r - r^3 S, cos r = 1 - r^2 C, |r| <= pi/4:
 *   S = 1/3! - r^2/5! + ...,  C = 1/2! - r^2/4! + ... */
static xf_t sin_tail(xf_t r2)
{
    xf_t s = xf_one;
    for (uint32_t k = 17; k >= 2; k--)
        s = xf_sub(xf_one, xf_div_small(xf_mul(r2, s), (2 * k) * (2 * k + 1)));
    return xf_div_small(s, 6);
}

static xf_t cos_tail(xf_t r2)
{
    xf_t s = xf_one;
    for (uint32_t k = 17; k >= 2; k--)
        s = xf_sub(xf_one, xf_div_small(xf_mul(r2, s), (2 * k - 1) * (2 * k)));
    return xf_div_small(s, 2);
}

/* Reduces |x| (x.exp < 63) by multiples of the hardware's pi/2: returns
 * the quadrant and sets r, |r| <= pi/4 (exact: 68 bits). */
static unsigned reduce_pi2(fpnum_t x, xf_t *r)
{
    if (x.exp < -1) { /* |x| < 1/2 < pi/4 */
        *r = (xf_t){false, x.exp, (u128)x.mant << 64};
        return 0;
    }
    /* n = nearest integer to |x| / (pi/2), then the exact difference in
     * units of 2^-67 (the low 128 bits suffice: |r| < 2^67 units). */
    xf_t q = xf_div((xf_t){false, x.exp, (u128)x.mant << 64}, xf_make(false, 60, pi66_half));
    uint64_t n = q.exp < -1 ? 0 : (uint64_t)(((q.mant >> (126 - q.exp)) + 1) >> 1);
    u128 xs = (u128)x.mant << (x.exp + 4);
    __int128 d = (__int128)(xs - (u128)n * pi66_half);
    __int128 half = (__int128)(pi66_half >> 1);
    if (d > half) {
        d -= (__int128)pi66_half;
        n++;
    } else if (d < -half) {
        d += (__int128)pi66_half;
        n--;
    }
    *r = xf_make(d < 0, 60, d < 0 ? (u128)-d : (u128)d);
    return (unsigned)(n & 3);
}

/* Operand checks shared by FSIN/FCOS/FSINCOS/FPTAN.  Returns 1 when the
 * results are set (special operand), 0 to compute, -1 when |a| >= 2^63. */
static int trig_operand(fpenv_t *e, float80_t a, float80_t *res)
{
    if (fp_nan_operand(e, a, res))
        return 1;
    if (f80_is_inf(a)) {
        e->flags |= FSW_IE;
        *res = F80_INDEFINITE;
        return 1;
    }
    if (f80_is_denormal(a) && fp_raise(e, FSW_DE)) {
        *res = a;
        return 1;
    }
    if (!f80_is_zero(a) && fp_unpack(a).exp >= 63)
        return -1;
    return 0;
}

/* sin(q pi/2 + r) = +sin r, +cos r, -sin r, -cos r for quadrant q mod 4,
 * from sin r and cos r as main + correction; `negate` flips the result. */
static float80_t sin_quadrant(fpenv_t *e, unsigned q, bool negate, xf_t sin_main, xf_t sin_corr,
                              xf_t cos_main, xf_t cos_corr)
{
    bool use_cos = q & 1, neg = ((q >> 1) & 1) ^ negate;
    xf_t m = use_cos ? cos_main : sin_main, c = use_cos ? cos_corr : sin_corr;
    return neg ? xf_round(e, xf_neg(m), xf_neg(c)) : xf_round(e, m, c);
}

bool fp_sincos(fpenv_t *e, float80_t a, float80_t *sin_out, float80_t *cos_out)
{
    float80_t special;
    int k = trig_operand(e, a, &special);
    if (k < 0)
        return false;
    if (k > 0 || f80_is_zero(a)) {
        if (sin_out)
            *sin_out = k ? special : a;
        if (cos_out)
            *cos_out = k ? special : f80_one(false);
        return true;
    }
    fpnum_t x = fp_unpack(a);
    xf_t r;
    unsigned q = reduce_pi2(x, &r);
    xf_t r2 = xf_mul(r, r);
    /* sin r = r - r^3 S,  cos r = 1 - r^2 C */
    xf_t sin_main = r, sin_corr = xf_neg(xf_mul(xf_mul(r, r2), sin_tail(r2)));
    xf_t cos_main = xf_one, cos_corr = xf_neg(xf_mul(r2, cos_tail(r2)));
    /* cos x = sin(x + pi/2): the next quadrant.  The cosine first, as
     * FSINCOS reports the rounding of the sine in C1. */
    if (cos_out)
        *cos_out = sin_quadrant(e, q + 1, false, sin_main, sin_corr, cos_main, cos_corr);
    if (sin_out) {
        e->flags &= ~FSW_C1;
        *sin_out = sin_quadrant(e, q, x.sign, sin_main, sin_corr, cos_main, cos_corr);
    }
    return true;
}

bool fp_tan(fpenv_t *e, float80_t a, float80_t *out)
{
    int k = trig_operand(e, a, out);
    if (k < 0)
        return false;
    if (k > 0 || f80_is_zero(a)) {
        if (!k)
            *out = a;
        return true;
    }
    fpnum_t x = fp_unpack(a);
    xf_t r;
    unsigned q = reduce_pi2(x, &r);
    xf_t r2 = xf_mul(r, r);
    xf_t cs = xf_sub(cos_tail(r2), sin_tail(r2)); /* C - S, about 1/3 */
    xf_t main, corr;
    if (!(q & 1)) {
        /* tan r = r + r^3 (C - S) / cos r */
        xf_t cosr = xf_sub(xf_one, xf_mul(r2, cos_tail(r2)));
        main = r;
        corr = xf_div(xf_mul(xf_mul(r, r2), cs), cosr);
    } else {
        /* -cot r = -(1/r - r^2 (C - S) / sin r) */
        xf_t sinr = xf_sub(r, xf_mul(xf_mul(r, r2), sin_tail(r2)));
        main = xf_neg(xf_div(xf_one, r));
        corr = xf_div(xf_mul(r2, cs), sinr);
    }
    if (x.sign) {
        main = xf_neg(main);
        corr = xf_neg(corr);
    }
    *out = xf_round(e, main, corr);
    return true;
}

/* ---------------------------------------------------------------- atan */

/* atan(t) for 0 <= t <= 1 as main + corr. */
static void atan_parts(xf_t t, xf_t *main, xf_t *corr)
{
    /* t = c + u(1 + tc) with c = k/8: atan t = atan c + atan u, |u| <= 1/16 */
    uint32_t k = 0;
    if (t.exp >= -4) { /* t >= 1/16 */
        u128 scaled = t.mant >> (127 - 3 - t.exp - 1); /* 16 t */
        k = (uint32_t)((scaled + 1) >> 1);
    }
    xf_t u = t;
    if (k) {
        xf_t c = xf_div_small(xf_from_int(k), 8);
        u = xf_div(xf_sub(t, c), xf_add(xf_one, xf_mul(t, c)));
    }
    /* atan u = u - u^3 (1/3 - u^2/5 + ...) */
    xf_t u2 = xf_mul(u, u);
    xf_t p = xf_div_small(xf_one, 2 * 20 + 1);
    for (uint32_t j = 19; j >= 1; j--)
        p = xf_sub(xf_div_small(xf_one, 2 * j + 1), xf_mul(u2, p));
    xf_t tail = xf_neg(xf_mul(xf_mul(u, u2), p));
    if (!k) {
        *main = u;
        *corr = tail;
    } else {
        *main = xf_atan_k8[k - 1];
        *corr = xf_add(u, tail);
    }
}

float80_t fp_atan2(fpenv_t *e, float80_t y, float80_t x)
{
    float80_t r;
    if (fp_nan_operands(e, y, x, &r))
        return r;
    if (fp_denormal_check(e, y, x))
        return y;
    bool ys = f80_sign(y), xs = f80_sign(x);
    bool yi = f80_is_inf(y), xi = f80_is_inf(x), yz = f80_is_zero(y), xz = f80_is_zero(x);
    xf_t main, corr = xf_zero;
    if (yi && xi) {
        main = xs ? xf_3pi_4 : xf_pi_4;
    } else if (yz || xi) {
        /* atan2(+-0, x) and atan2(finite, +-inf): +-0 or +-pi */
        if (!xs)
            return f80_zero(ys);
        main = xf_pi;
    } else if (yi || xz) {
        main = xf_pi_2;
    } else {
        xf_t ay = xf_from_f80(f80_abs(y)), ax = xf_from_f80(f80_abs(x));
        bool swap = ay.exp > ax.exp || (ay.exp == ax.exp && ay.mant > ax.mant);
        xf_t t = swap ? xf_div(ax, ay) : xf_div(ay, ax);
        atan_parts(t, &main, &corr);
        if (swap) { /* pi/2 - atan(1/t) */
            main = xf_sub(xf_pi_2, xf_add(main, corr));
            corr = xf_zero;
        }
        if (xs) { /* pi - a */
            main = xf_sub(xf_pi, xf_add(main, corr));
            corr = xf_zero;
        }
    }
    if (ys) {
        main = xf_neg(main);
        corr = xf_neg(corr);
    }
    return xf_round(e, main, corr);
}

/* ---------------------------------------------------------------- 2^x - 1 */

float80_t fp_f2xm1(fpenv_t *e, float80_t a)
{
    float80_t r;
    if (fp_nan_operand(e, a, &r))
        return r;
    if (f80_is_zero(a))
        return a;
    if (f80_is_inf(a))
        return f80_sign(a) ? f80_one(true) : a;
    if (f80_is_denormal(a) && fp_raise(e, FSW_DE))
        return a;
    fpnum_t x = fp_unpack(a);
    if (x.exp >= 0) {
        e->flags |= FSW_PE; /* never reported exact */
        if (x.exp > 0 || x.mant != INT_BIT) /* |x| > 1: outside the domain, the operand comes back */
            return a;
        if (x.sign) /* 2^-1 - 1 */
            return f80(0xBFFE, INT_BIT);
        /* 2^1 - 1 comes out of the hardware as 1 - tiny, rounded */
        return xf_round(e, xf_one, (xf_t){true, -200, xf_one.mant});
    }
    /* e^u - 1 with u = x ln 2: u (1 + u/2 (1 + u/3 (1 + ...))) */
    xf_t u = xf_mul(xf_from_f80(a), xf_ln2);
    xf_t s = xf_one;
    for (uint32_t k = 30; k >= 2; k--)
        s = xf_add(xf_one, xf_div_small(xf_mul(u, s), k));
    return xf_round(e, xf_mul(u, s), xf_zero);
}

/* ---------------------------------------------------------------- logarithms */

/* 2 atanh(s) = ln((1 + s) / (1 - s)), |s| <= 0.18. */
static xf_t ln_atanh(xf_t s)
{
    xf_t s2 = xf_mul(s, s);
    xf_t p = xf_div_small(xf_one, 2 * 30 + 1);
    for (uint32_t j = 29; j >= 1; j--)
        p = xf_add(xf_div_small(xf_one, 2 * j + 1), xf_mul(s2, p));
    xf_t v = xf_add(s, xf_mul(xf_mul(s, s2), p));
    v.exp++;
    return v;
}

/* log2(v) for v > 0: returns true when it is exact (v a power of two). */
static bool xf_log2(xf_t v, xf_t *out)
{
    /* v = m 2^k with m in [sqrt(1/2), sqrt(2)) */
    int32_t k = v.exp;
    xf_t m = {false, 0, v.mant};
    if (v.mant > ((u128)0xB504F333F9DE6484ull << 64)) { /* sqrt(2) */
        m.exp = -1;
        k++;
    }
    if (m.exp == 0 && m.mant == xf_one.mant) {
        *out = xf_from_int(k);
        return true;
    }
    xf_t s = xf_div(xf_sub(m, xf_one), xf_add(m, xf_one));
    *out = xf_add(xf_from_int(k), xf_mul(ln_atanh(s), xf_log2e));
    return false;
}

float80_t fp_yl2x(fpenv_t *e, float80_t x, float80_t y)
{
    float80_t r;
    if (fp_nan_operands(e, x, y, &r))
        return r;
    bool xs = f80_sign(x), ys = f80_sign(y);
    bool xz = f80_is_zero(x), yz = f80_is_zero(y), xi = f80_is_inf(x), yi = f80_is_inf(y);
    if (xs && !xz) { /* log of a negative number */
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    bool x_one = f80_exp(x) == EXP_BIAS && x.mant == INT_BIT;
    if ((xz && yz) || (xi && yz) || (x_one && yi)) { /* 0*inf */
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    if (xz) { /* log2(0) = -inf; divide-by-zero takes precedence over DE */
        if (!yi)
            e->flags |= FSW_ZE;
        else if (fp_denormal_check(e, x, y))
            return x;
        return f80_inf(!ys);
    }
    if (fp_denormal_check(e, x, y))
        return x;
    fpnum_t xn = fp_unpack(x);
    bool below_one = xn.exp < 0;
    if (xi || yi)
        return f80_inf(ys ^ below_one);
    if (yz || x_one)
        return f80_zero(ys ^ below_one);
    xf_t lg;
    if (xf_log2(xf_from_f80(x), &lg)) {
        /* A power of two: y * k is exact, rounded once; the hardware still
         * reports it inexact. */
        fpformat_t f = fmt_ext;
        xf_t p = xf_mul(xf_from_f80(y), lg);
        float80_t res = fp_pack_ext(fp_round(e, p.sign, p.exp, p.mant, &f));
        e->flags |= FSW_PE;
        return res;
    }
    return xf_round(e, xf_mul(xf_from_f80(y), lg), xf_zero);
}

float80_t fp_yl2xp1(fpenv_t *e, float80_t x, float80_t y)
{
    float80_t r;
    if (fp_nan_operands(e, x, y, &r))
        return r;
    bool xz = f80_is_zero(x), yz = f80_is_zero(y), yi = f80_is_inf(y), xi = f80_is_inf(x);
    if ((xz && yi) || (xi && yz) || (xi && f80_sign(x))) { /* 0 * inf, log of -inf */
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    if (fp_denormal_check(e, x, y))
        return x;
    bool neg = f80_sign(x) ^ f80_sign(y); /* log2(1+x) has the sign of x */
    if (xz || yz)
        return f80_zero(neg);
    if (xi || yi)
        return f80_inf(neg);
    xf_t xv = xf_from_f80(x), lg;
    if (xv.exp < -2) {
        /* |x| < 1/4: ln(1+x) = 2 atanh(x / (2 + x)), accurate for tiny x */
        xf_t two = {false, 1, xf_one.mant};
        lg = xf_mul(ln_atanh(xf_div(xv, xf_add(two, xv))), xf_log2e);
    } else {
        /* Outside the architected domain: log2(1 + x) for x > -1; for
         * x <= -1 the hardware returns x (inexact). */
        xf_t w = xf_add(xf_one, xv);
        if (w.sign || !w.mant) {
            e->flags |= FSW_PE;
            return x;
        }
        xf_log2(w, &lg);
    }
    return xf_round(e, xf_mul(xf_from_f80(y), lg), xf_zero);
}
