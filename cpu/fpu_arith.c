/* Exact x87 arithmetic on 80-bit values, in integer code.
 *
 * Every operation computes its result exactly (or with a sticky bit standing
 * for everything below 128 bits), then fp_round rounds it once: to the
 * precision-control width (24, 53 or 64 bits) for register results, or to
 * the single/double format for stores, in the control word's rounding mode.
 * The special cases follow the SDM (vol. 1, 4.8 and 8.5; the tables of each
 * instruction in vol. 2) and the P6: unnormals, pseudo-NaNs and
 * pseudo-infinities are invalid operands, pseudo-denormals are denormals.
 * Tininess is detected after rounding (with an unbounded exponent), as the
 * x87 does.
 */
#include "fpu_internal.h"

const fpformat_t fmt_single = {24, -126, 127, false};
const fpformat_t fmt_double = {53, -1022, 1023, false};
const fpformat_t fmt_ext = {64, -16382, 16383, true};

fpnum_t fp_unpack(float80_t a)
{
    int32_t e = f80_exp(a) ? (int32_t)f80_exp(a) : 1; /* denormals share exponent 1 */
    int n = clz64(a.mant);
    return (fpnum_t){f80_sign(a), e - EXP_BIAS - n, a.mant << n};
}

/* Whether rounding away the bits `rem` (half = the weight of the first of
 * them) increases the magnitude. */
static bool round_increment(int rc, bool sign, u128 rem, u128 half, bool odd)
{
    switch (rc) {
    case RC_NEAREST: return rem > half || (rem == half && odd);
    case RC_DOWN: return sign && rem;
    case RC_UP: return !sign && rem;
    default: return false;
    }
}

fprounded_t fp_round(fpenv_t *e, bool sign, int32_t exp, u128 sig, const fpformat_t *f)
{
    fprounded_t r = {.sign = sign, .stored = true};
    uint16_t entry_flags = e->flags;
    int n = clz128(sig);
    sig <<= n;
    exp -= n;
    unsigned drop = 128 - f->prec;
    u128 lsb = (u128)1 << drop, mask = lsb - 1, half = lsb >> 1;
    u128 rem = sig & mask;
    bool up = round_increment(e->rc, sign, rem, half, (sig & lsb) != 0);
    bool carry = up && (sig | mask) == ~(u128)0;

    if (exp + carry < f->emin) { /* tiny after rounding */
        bool unmasked = !(e->masks & FSW_UE);
        if (unmasked && !f->wrap) { /* a store: nothing is written, only UE reported */
            e->flags = entry_flags | FSW_UE;
            r.stored = false;
            return r;
        }
        if (unmasked && exp + carry + EXP_WRAP >= f->emin) {
            /* Unmasked: the exact-width rounding with a wrapped exponent. */
            e->flags |= FSW_UE;
            exp += EXP_WRAP;
        } else if (unmasked) {
            /* Beyond even the wrapped range (only FSCALE gets there): zero,
             * whatever the rounding mode. */
            e->flags = (uint16_t)((e->flags & ~FSW_C1) | FSW_UE | FSW_PE);
            r.exp = f->emin;
            return r;
        } else {
            /* Masked: denormalize, then round at the same bit position. */
            sig = shr_sticky(sig, f->emin - exp);
            exp = f->emin;
            rem = sig & mask;
            up = round_increment(e->rc, sign, rem, half, (sig & lsb) != 0);
            sig = (sig & ~mask) + (up ? lsb : 0); /* cannot carry out: bit 127 is clear */
            if (rem)
                e->flags |= FSW_PE | FSW_UE | (up ? FSW_C1 : 0);
            r.exp = exp;
            r.mant = (uint64_t)(sig >> 64);
            return r;
        }
    }
    sig &= ~mask;
    if (up) {
        sig += lsb;
        if (sig == 0) {
            sig = (u128)1 << 127;
            exp++;
        }
    }
    if (rem)
        e->flags |= FSW_PE | (up ? FSW_C1 : 0);
    if (exp > f->emax) {
        bool unmasked = !(e->masks & FSW_OE);
        if (unmasked && !f->wrap) {
            e->flags = entry_flags | FSW_OE;
            r.stored = false;
            return r;
        }
        if (unmasked && exp - EXP_WRAP <= f->emax) {
            e->flags |= FSW_OE;
            exp -= EXP_WRAP;
        } else {
            /* Masked: infinity or the largest finite value, by the rounding
             * direction; beyond even the wrapped range: infinity. */
            bool to_inf = unmasked || e->rc == RC_NEAREST || (e->rc == RC_UP && !sign) ||
                          (e->rc == RC_DOWN && sign);
            e->flags |= FSW_OE | FSW_PE;
            if (to_inf) {
                e->flags |= FSW_C1;
                r.inf = true;
            } else {
                e->flags &= ~FSW_C1;
                r.exp = f->emax;
                r.mant = ~0ull << (64 - f->prec);
            }
            return r;
        }
    }
    r.exp = exp;
    r.mant = (uint64_t)(sig >> 64);
    return r;
}

float80_t fp_pack_ext(fprounded_t r)
{
    uint16_t s = r.sign ? 0x8000 : 0;
    if (r.inf)
        return f80(s | EXP_MAX, INT_BIT);
    if (!(r.mant & INT_BIT)) /* zero or denormal */
        return f80(s, r.mant);
    return f80(s | ((r.exp + EXP_BIAS) & EXP_MAX), r.mant);
}

float80_t fp_round_ext(fpenv_t *e, bool sign, int32_t exp, u128 sig)
{
    fpformat_t f = fmt_ext;
    f.prec = e->prec;
    return fp_pack_ext(fp_round(e, sign, exp, sig, &f));
}

/* The same at 64 bits whatever the precision control (FSCALE, FPREM). */
static float80_t round_full(fpenv_t *e, bool sign, int32_t exp, u128 sig)
{
    return fp_pack_ext(fp_round(e, sign, exp, sig, &fmt_ext));
}

/* A nonzero finite value rounded to the precision control. */
static float80_t round_num(fpenv_t *e, fpnum_t x)
{
    return fp_round_ext(e, x.sign, x.exp, (u128)x.mant << 64);
}

/* ---------------------------------------------------------------- operands */

float80_t fp_quiet(float80_t a)
{
    a.mant |= QUIET_BIT;
    return a;
}

bool fp_nan_operand(fpenv_t *e, float80_t a, float80_t *res)
{
    if (f80_unsupported(a)) {
        e->flags |= FSW_IE;
        *res = F80_INDEFINITE;
        return true;
    }
    if (!f80_is_nan(a))
        return false;
    if (f80_is_snan(a))
        e->flags |= FSW_IE;
    *res = fp_quiet(a);
    return true;
}

bool fp_nan_operands(fpenv_t *e, float80_t a, float80_t b, float80_t *res)
{
    if (f80_unsupported(a) || f80_unsupported(b)) {
        e->flags |= FSW_IE;
        *res = F80_INDEFINITE;
        return true;
    }
    bool an = f80_is_nan(a), bn = f80_is_nan(b);
    if (!an && !bn)
        return false;
    bool as = f80_is_snan(a), bs = f80_is_snan(b);
    if (as || bs)
        e->flags |= FSW_IE;
    if (an && bn) {
        /* A QNaN beats an SNaN; between two of a kind, the larger
         * significand wins, and on a tie the positive one. */
        uint64_t ma = a.mant << 1, mb = b.mant << 1;
        if (as != bs)
            *res = as ? b : a;
        else if (ma != mb)
            *res = ma > mb ? a : b;
        else
            *res = f80_sign(a) ? b : a;
        *res = fp_quiet(*res);
    } else {
        *res = fp_quiet(an ? a : b);
    }
    return true;
}

/* Raises DE when either operand is a denormal; true when that must stop
 * the operation (unmasked). */
bool fp_denormal_check(fpenv_t *e, float80_t a, float80_t b)
{
    return (f80_is_denormal(a) || f80_is_denormal(b) || e->denormal_src) && fp_raise(e, FSW_DE);
}

/* ---------------------------------------------------------------- + - * / sqrt */

float80_t fp_add(fpenv_t *e, float80_t a, float80_t b, bool subtract)
{
    float80_t r;
    if (fp_nan_operands(e, a, b, &r))
        return r;
    if (subtract)
        b = f80_neg(b);
    if (fp_denormal_check(e, a, b))
        return a;
    bool ai = f80_is_inf(a), bi = f80_is_inf(b);
    if (ai || bi) {
        if (ai && bi && f80_sign(a) != f80_sign(b)) {
            e->flags |= FSW_IE;
            return F80_INDEFINITE;
        }
        return ai ? a : b;
    }
    bool az = f80_is_zero(a), bz = f80_is_zero(b);
    if (az && bz)
        return f80_sign(a) == f80_sign(b) ? a : f80_zero(e->rc == RC_DOWN);
    if (az || bz)
        return round_num(e, fp_unpack(az ? b : a));
    fpnum_t x = fp_unpack(a), y = fp_unpack(b);
    if (x.exp < y.exp || (x.exp == y.exp && x.mant < y.mant)) {
        fpnum_t t = x;
        x = y;
        y = t;
    }
    u128 big = (u128)x.mant << 63;
    int64_t d = (int64_t)x.exp - y.exp;
    u128 small = shr_sticky((u128)y.mant << 63, d > 200 ? 200 : (int)d);
    u128 s = x.sign == y.sign ? big + small : big - small;
    if (s == 0)
        return f80_zero(e->rc == RC_DOWN);
    return fp_round_ext(e, x.sign, x.exp + 1, s);
}

float80_t fp_mul(fpenv_t *e, float80_t a, float80_t b)
{
    float80_t r;
    if (fp_nan_operands(e, a, b, &r))
        return r;
    bool sign = f80_sign(a) ^ f80_sign(b);
    bool ai = f80_is_inf(a), bi = f80_is_inf(b), az = f80_is_zero(a), bz = f80_is_zero(b);
    if ((ai && bz) || (bi && az)) {
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    if (fp_denormal_check(e, a, b))
        return a;
    if (ai || bi)
        return f80_inf(sign);
    if (az || bz)
        return f80_zero(sign);
    fpnum_t x = fp_unpack(a), y = fp_unpack(b);
    return fp_round_ext(e, sign, x.exp + y.exp + 1, (u128)x.mant * y.mant);
}

/* The quotient of two normalized significands as 128 bits with a sticky
 * bit; *exp_adjust is 0 when x >= y, else -1 (the quotient's top bit
 * weighs 2^exp_adjust). */
static u128 divide_sig(uint64_t x, uint64_t y, int *exp_adjust)
{
    u128 num;
    if (x >= y) {
        num = (u128)x << 63;
        *exp_adjust = 0;
    } else {
        num = (u128)x << 64;
        *exp_adjust = -1;
    }
    uint64_t q1 = (uint64_t)(num / y), r1 = (uint64_t)(num % y);
    u128 num2 = (u128)r1 << 64;
    uint64_t q2 = (uint64_t)(num2 / y), r2 = (uint64_t)(num2 % y);
    return ((u128)q1 << 64) | q2 | (r2 != 0);
}

float80_t fp_div(fpenv_t *e, float80_t a, float80_t b)
{
    float80_t r;
    if (fp_nan_operands(e, a, b, &r))
        return r;
    bool sign = f80_sign(a) ^ f80_sign(b);
    bool ai = f80_is_inf(a), bi = f80_is_inf(b), az = f80_is_zero(a), bz = f80_is_zero(b);
    if ((ai && bi) || (az && bz)) {
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    if (bz && !ai) { /* divide by zero takes precedence over a denormal dividend */
        e->flags |= FSW_ZE;
        return f80_inf(sign);
    }
    if (fp_denormal_check(e, a, b))
        return a;
    if (ai)
        return f80_inf(sign);
    if (bi || az)
        return f80_zero(sign);
    fpnum_t x = fp_unpack(a), y = fp_unpack(b);
    int adj;
    u128 q = divide_sig(x.mant, y.mant, &adj);
    return fp_round_ext(e, sign, x.exp - y.exp + adj, q);
}

/* floor(sqrt(a)) for a in [2^62, 2^64), by Newton's iteration from above. */
static uint64_t isqrt64(uint64_t a)
{
    uint64_t x = 0xFFFFFFFFu, y;
    while ((y = (x + a / x) >> 1) < x)
        x = y;
    return x;
}

/* floor(sqrt(n)) for n in [2^126, 2^128), and whether it is exact: the
 * root of the top 64 bits, one Newton step in 128 bits, then a correction
 * of the last unit. */
static uint64_t isqrt128(u128 n, u128 *rem)
{
    u128 s = (u128)isqrt64((uint64_t)(n >> 64)) << 32;
    s = (s + n / s) >> 1;
    if (s >> 64)
        s = ~0ull;
    while (s * s > n)
        s--;
    while (s < ~0ull && (s + 1) * (s + 1) <= n)
        s++;
    *rem = n - s * s;
    return (uint64_t)s;
}

float80_t fp_sqrt(fpenv_t *e, float80_t a)
{
    float80_t r;
    if (fp_nan_operand(e, a, &r))
        return r;
    if (f80_is_zero(a))
        return a;
    if (f80_sign(a)) {
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    if (f80_is_denormal(a) && fp_raise(e, FSW_DE))
        return a;
    if (f80_is_inf(a))
        return a;
    fpnum_t x = fp_unpack(a);
    /* a = mant * 2^t = n * 2^(t - z) with n = mant * 2^z in [2^126, 2^128)
     * and t - z even; three more root bits come from the digit-by-digit
     * method on the remainder (two zero radicand bits each). */
    int32_t t = x.exp - 63;
    int z = (t & 1) ? 63 : 64;
    u128 rem;
    u128 root = isqrt128((u128)x.mant << z, &rem);
    for (int k = 0; k < 3; k++) {
        rem <<= 2;
        u128 trial = (root << 2) | 1;
        root <<= 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    /* root in [2^66, 2^67) weighs 2^((t - z) / 2 - 3) */
    return fp_round_ext(e, false, 63 + (t - z) / 2, (root << 61) | (rem != 0));
}

/* ---------------------------------------------------------------- integers */

/* |value| of a finite nonzero x rounded to an integer by e->rc, as a
 * 128-bit magnitude (saturating at 2^127 for huge values); flags PE and C1. */
static u128 round_to_integer(fpenv_t *e, fpnum_t x, bool *huge)
{
    *huge = false;
    if (x.exp >= 63) {
        if (x.exp >= 127) {
            *huge = true;
            return (u128)1 << 127;
        }
        return (u128)x.mant << (x.exp - 63);
    }
    /* 64 integer bits above 64 fraction bits (plus sticky). */
    u128 s = shr_sticky((u128)x.mant << 64, 63 - x.exp);
    u128 rem = s & 0xFFFFFFFFFFFFFFFFull;
    u128 q = s >> 64;
    bool up = round_increment(e->rc, x.sign, rem, (u128)1 << 63, q & 1);
    if (rem)
        e->flags |= FSW_PE | (up ? FSW_C1 : 0);
    return q + up;
}

/* sign * mag (mag < 2^64) exactly. */
static float80_t from_magnitude(bool sign, uint64_t mag)
{
    if (mag == 0)
        return f80_zero(sign);
    int n = clz64(mag);
    return f80((sign ? 0x8000 : 0) | (EXP_BIAS + 63 - n), mag << n);
}

float80_t fp_from_int(int64_t v)
{
    return from_magnitude(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

float80_t fp_rndint(fpenv_t *e, float80_t a)
{
    float80_t r;
    if (fp_nan_operand(e, a, &r))
        return r;
    if (f80_is_denormal(a) && fp_raise(e, FSW_DE))
        return a;
    if (f80_is_inf(a) || f80_is_zero(a))
        return a;
    fpnum_t x = fp_unpack(a);
    if (x.exp >= 63)
        return a;
    bool huge;
    u128 q = round_to_integer(e, x, &huge);
    if (q >> 64) /* 2^64 exactly, from rounding up */
        return f80((x.sign ? 0x8000 : 0) | (EXP_BIAS + 64), INT_BIT);
    return from_magnitude(x.sign, (uint64_t)q);
}

bool fp_to_int(fpenv_t *e, float80_t a, unsigned bits, int64_t *out)
{
    uint64_t indefinite = 1ull << (bits - 1);
    *out = (int64_t)(indefinite | (~0ull << (bits - 1))); /* sign-extended indefinite */
    if (f80_unsupported(a) || f80_is_nan(a) || f80_is_inf(a))
        return !fp_raise(e, FSW_IE);
    if (f80_is_zero(a)) {
        *out = 0;
        return true;
    }
    fpnum_t x = fp_unpack(a); /* no DE for a denormal source */
    fpenv_t trial = *e;
    bool huge;
    u128 q = round_to_integer(&trial, x, &huge);
    if (huge || q > (u128)indefinite - !x.sign) {
        /* Out of range: invalid, and no precision or round-up report. */
        return !fp_raise(e, FSW_IE);
    }
    *e = trial;
    *out = x.sign ? -(int64_t)q : (int64_t)q;
    return true;
}

float80_t fp_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int k = 8; k >= 0; k--)
        v = v * 100 + (bcd[k] >> 4) * 10 + (bcd[k] & 15);
    return from_magnitude(bcd[9] >> 7, v);
}

const uint8_t fp_bcd_indefinite[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};

bool fp_to_bcd(fpenv_t *e, float80_t a, uint8_t bcd[10])
{
    memcpy(bcd, fp_bcd_indefinite, 10);
    if (f80_unsupported(a) || f80_is_nan(a) || f80_is_inf(a))
        return !fp_raise(e, FSW_IE);
    uint64_t v = 0;
    if (!f80_is_zero(a)) {
        fpenv_t trial = *e;
        bool huge;
        u128 q = round_to_integer(&trial, fp_unpack(a), &huge);
        if (huge || q > 999999999999999999ull)
            return !fp_raise(e, FSW_IE);
        *e = trial;
        v = (uint64_t)q;
    }
    for (int k = 0; k < 9; k++) {
        bcd[k] = (uint8_t)((v % 10) | ((v / 10 % 10) << 4));
        v /= 100;
    }
    bcd[9] = f80_sign(a) ? 0x80 : 0;
    return true;
}

/* ---------------------------------------------------------------- single and double */

/* A binary32/64 value (frac_bits 23 or 52, exponent bias) to extended:
 * exact, signalling NaNs stay signalling, denormals become normal numbers
 * and set *denormal. */
static float80_t from_binary(uint64_t v, int frac_bits, int bias, bool *denormal)
{
    int ebits = frac_bits == 23 ? 8 : 11;
    bool sign = (v >> (frac_bits + ebits)) & 1;
    uint32_t ex = (uint32_t)(v >> frac_bits) & ((1u << ebits) - 1);
    uint64_t frac = v & ((1ull << frac_bits) - 1);
    uint16_t s = sign ? 0x8000 : 0;
    *denormal = false;
    if (ex == (1u << ebits) - 1)
        return f80(s | EXP_MAX, INT_BIT | (frac << (63 - frac_bits)));
    if (ex == 0) {
        if (frac == 0)
            return f80_zero(sign);
        *denormal = true;
        int n = clz64(frac);
        /* value = frac * 2^(1 - bias - frac_bits) */
        return f80(s | (uint16_t)(EXP_BIAS + 1 - bias - frac_bits + 63 - n), frac << n);
    }
    return f80(s | (uint16_t)(ex - bias + EXP_BIAS), INT_BIT | (frac << (63 - frac_bits)));
}

float80_t fp_from_single(uint32_t v, bool *denormal) { return from_binary(v, 23, 127, denormal); }
float80_t fp_from_double(uint64_t v, bool *denormal) { return from_binary(v, 52, 1023, denormal); }

/* Extended to binary32/64. */
static bool to_binary(fpenv_t *e, float80_t a, const fpformat_t *f, uint64_t *out)
{
    int frac_bits = f->prec - 1, ebits = f == &fmt_single ? 8 : 11;
    uint64_t emask = (1ull << ebits) - 1;
    uint64_t s = (uint64_t)f80_sign(a) << (frac_bits + ebits);
    uint64_t inf = emask << frac_bits, quiet = 1ull << (frac_bits - 1);
    if (f80_unsupported(a)) {
        *out = (1ull << (frac_bits + ebits)) | inf | quiet;
        return !fp_raise(e, FSW_IE);
    }
    if (f80_is_nan(a)) {
        *out = s | inf | quiet | ((a.mant << 1) >> (64 - frac_bits));
        return !(f80_is_snan(a) && fp_raise(e, FSW_IE));
    }
    if (f80_is_inf(a)) {
        *out = s | inf;
        return true;
    }
    if (f80_is_zero(a)) {
        *out = s;
        return true;
    }
    fpnum_t x = fp_unpack(a); /* a denormal source raises no DE here */
    fprounded_t r = fp_round(e, x.sign, x.exp, (u128)x.mant << 64, f);
    if (!r.stored)
        return false;
    if (r.inf)
        *out = s | inf;
    else if (!(r.mant & INT_BIT))
        *out = s | (r.mant >> (64 - f->prec)); /* zero or denormal */
    else
        *out = s | ((uint64_t)(r.exp + (int32_t)(emask >> 1)) << frac_bits) |
               ((r.mant << 1) >> (64 - frac_bits));
    return true;
}

bool fp_to_single(fpenv_t *e, float80_t a, uint32_t *out)
{
    uint64_t v = 0; /* to_binary leaves it alone when an unmasked exception stops the store */
    bool ok = to_binary(e, a, &fmt_single, &v);
    *out = (uint32_t)v;
    return ok;
}

bool fp_to_double(fpenv_t *e, float80_t a, uint64_t *out)
{
    return to_binary(e, a, &fmt_double, out);
}

/* ---------------------------------------------------------------- compare, examine */

/* -1, 0, 1 for two non-NaN values. */
static int compare_values(float80_t a, float80_t b)
{
    bool az = f80_is_zero(a), bz = f80_is_zero(b);
    if (az && bz)
        return 0;
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (az)
        return sb ? 1 : -1;
    if (bz)
        return sa ? -1 : 1;
    if (sa != sb)
        return sa ? -1 : 1;
    int mag; /* |a| against |b| */
    bool ai = f80_is_inf(a), bi = f80_is_inf(b);
    if (ai || bi) {
        mag = ai == bi ? 0 : ai ? 1 : -1;
    } else {
        fpnum_t x = fp_unpack(a), y = fp_unpack(b);
        if (x.exp != y.exp)
            mag = x.exp > y.exp ? 1 : -1;
        else
            mag = x.mant == y.mant ? 0 : x.mant > y.mant ? 1 : -1;
    }
    return sa ? -mag : mag;
}

uint16_t fp_compare(fpenv_t *e, float80_t a, float80_t b, bool quiet)
{
    const uint16_t unordered = FSW_C3 | FSW_C2 | FSW_C0;
    if (f80_unsupported(a) || f80_unsupported(b)) {
        e->flags |= FSW_IE;
        return unordered;
    }
    if (f80_is_nan(a) || f80_is_nan(b)) {
        if (!quiet || f80_is_snan(a) || f80_is_snan(b))
            e->flags |= FSW_IE;
        return unordered;
    }
    fp_denormal_check(e, a, b); /* reported, but the result is still written */
    int c = compare_values(a, b);
    return c == 0 ? FSW_C3 : c < 0 ? FSW_C0 : 0;
}

uint16_t fp_examine(float80_t a)
{
    uint16_t sign = f80_sign(a) ? FSW_C1 : 0;
    if (f80_unsupported(a))
        return sign;
    if (f80_is_nan(a))
        return sign | FSW_C0;
    if (f80_is_inf(a))
        return sign | FSW_C2 | FSW_C0;
    if (f80_is_zero(a))
        return sign | FSW_C3;
    if (f80_is_denormal(a))
        return sign | FSW_C3 | FSW_C2;
    return sign | FSW_C2;
}

/* ---------------------------------------------------------------- FSCALE FXTRACT FPREM */

float80_t fp_scale(fpenv_t *e, float80_t a, float80_t b)
{
    float80_t r;
    if (fp_nan_operands(e, a, b, &r))
        return r;
    bool ai = f80_is_inf(a), bi = f80_is_inf(b), az = f80_is_zero(a);
    if (bi && ((az && !f80_sign(b)) || (ai && f80_sign(b)))) {
        e->flags |= FSW_IE; /* 0 * 2^+inf, inf * 2^-inf */
        return F80_INDEFINITE;
    }
    if (fp_denormal_check(e, a, b))
        return a;
    if (ai || az)
        return a;
    if (bi)
        return f80_sign(b) ? f80_zero(f80_sign(a)) : f80_inf(f80_sign(a));
    fpnum_t x = fp_unpack(a);
    int32_t n = 0;
    if (!f80_is_zero(b)) {
        fpnum_t y = fp_unpack(b);
        /* trunc(b), clamped far beyond any exponent that can matter */
        int32_t mag = y.exp < 0 ? 0 : y.exp > 20 ? 1 << 20 : (int32_t)(y.mant >> (63 - y.exp));
        n = y.sign ? -mag : mag;
    }
    return round_full(e, x.sign, x.exp + n, (u128)x.mant << 64);
}

float80_t fp_xtract(fpenv_t *e, float80_t a, float80_t *sig)
{
    float80_t r;
    if (fp_nan_operand(e, a, &r)) {
        *sig = r;
        return r;
    }
    if (f80_is_zero(a)) {
        *sig = a;
        e->flags |= FSW_ZE;
        return f80_inf(true);
    }
    if (f80_is_inf(a)) {
        *sig = a;
        return f80_inf(false);
    }
    if (f80_is_denormal(a) && fp_raise(e, FSW_DE))
        return a;
    fpnum_t x = fp_unpack(a);
    *sig = f80((x.sign ? 0x8000 : 0) | EXP_BIAS, x.mant);
    return fp_from_int(x.exp);
}


float80_t fp_rem(fpenv_t *e, float80_t a, float80_t b, bool round_nearest, uint16_t *cc)
{
    float80_t r;
    *cc = FP_REM_NO_QUOTIENT;
    if (fp_nan_operands(e, a, b, &r))
        return r;
    if (f80_is_inf(a) || f80_is_zero(b)) {
        e->flags |= FSW_IE;
        return F80_INDEFINITE;
    }
    if (fp_denormal_check(e, a, b))
        return a;
    *cc = 0;
    if (f80_is_zero(a))
        return a;
    fpnum_t x = fp_unpack(a);
    if (f80_is_inf(b)) /* x itself, but as a result: canonical, or tiny */
        return round_full(e, x.sign, x.exp, (u128)x.mant << 64);
    fpnum_t y = fp_unpack(b);
    int32_t d = x.exp - y.exp;
    int32_t ey = y.exp; /* exponent of the divisor's bit 63 in this step */
    bool partial = d >= 64;
    if (partial) {
        /* A partial remainder develops 32 + (D mod 32) quotient bits,
         * leaving an exponent difference that is a multiple of 32. */
        int32_t reduce = d - (32 + d % 32);
        ey += reduce;
        d -= reduce;
    }
    /* Long division of x.mant * 2^d by y.mant. */
    uint64_t q = 0;
    u128 rem = x.mant;
    for (int32_t k = 0; k <= d; k++) {
        q <<= 1;
        if (rem >= y.mant) {
            rem -= y.mant;
            q |= 1;
        }
        if (k < d)
            rem <<= 1;
    }
    bool sign = x.sign;
    int32_t rexp = d >= 0 ? ey : x.exp; /* rem weighs 2^(rexp - 63) */
    if (round_nearest && !partial && d >= -1) {
        /* Round the quotient to nearest even: compare rem with half the
         * divisor (for d = -1, x itself is below the divisor by one bit). */
        u128 twice = d >= 0 ? rem << 1 : rem;
        if (twice > y.mant || (twice == y.mant && (q & 1))) {
            if (d >= 0) {
                rem = y.mant - rem;
            } else {
                rem = ((u128)y.mant << 1) - rem;
                rexp = ey - 1;
            }
            q++;
            sign = !sign;
        }
    }
    if (!partial)
        *cc = (uint16_t)(((q & 4) ? FSW_C0 : 0) | ((q & 2) ? FSW_C3 : 0) | ((q & 1) ? FSW_C1 : 0));
    else
        *cc = FSW_C2;
    if (rem == 0)
        return f80_zero(x.sign);
    return round_full(e, sign, rexp + 64, rem);
}
