/* microbi_kernels_arm_dsp.c: kernels for Armv7E-M and Armv8-M Mainline with the
 * DSP extension (Cortex-M4, M7, M33, M55; __ARM_FEATURE_DSP), built with
 * <arm_acle.h> (skmicrobi runtime; do not edit). See microbi_kernels.h.
 *
 * A word of four stored weights w0 w2 w1 w3 (microbi.h) gives, through SXTB16
 * and SXTB16 with a rotation by 8 bits, the int16 pairs (w0, w1) and (w2, w3);
 * a word of the int16 inputs gives (v0, v1) or (v2, v3); SMLAD adds both
 * products of a pair to an accumulator. The inner loops are inline assembly so
 * that every value stays in a register (the compiler spilled): per 16 MACs, a
 * conv block of two rows at two positions takes 16 instructions, an LSTM block
 * of four rows 20 (17 and 21 at -Os, one group per loop turn). The sums wrap modulo 2^32 like any two's-complement adder,
 * so the result is exact whenever the true accumulator fits int32, which the
 * model's bounds ensure. Loads of the weight tables and of the int16 buffers
 * use LDRD, which needs them 4-byte aligned (they are: microbi.h). */
#include "microbi_kernels.h"

#if MB_KERNELS_ARM_DSP

#include <string.h>

/* One 32-bit word from any address (LDR allows unaligned reads on these cores). */
static inline uint32_t mb_word(const void *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Bytes 1 and 3 of w, sign-extended to two int16 (SXTB16 w, ROR #8; GCC's ACLE
   has no rotation argument). */
static inline int16x2_t mb_sxtb16_ror8(uint32_t w)
{
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
    return r;
}

/* Four MACs of a weight word's pairs lo, hi with the input pairs x01, x23. */
#define MB_MAC4(acc, lo, hi, x01, x23) acc = __smlad(hi, x23, __smlad(lo, x01, acc))

/* Four inputs of two rows (words p, q) at two positions (pa, pb): 16 MACs. */
#define MB_CONV_GROUP \
    "ldrd   %[p], %[q], [%[w]], #8\n\t" \
    "ldrd   %[x01], %[x23], [%[pa]], #8\n\t" \
    "sxtb16 %[pl], %[p]\n\t" \
    "sxtb16 %[p], %[p], ror #8\n\t" \
    "smlad  %[a0], %[pl], %[x01], %[a0]\n\t" \
    "smlad  %[a0], %[p], %[x23], %[a0]\n\t" \
    "sxtb16 %[ql], %[q]\n\t" \
    "sxtb16 %[q], %[q], ror #8\n\t" \
    "smlad  %[a1], %[ql], %[x01], %[a1]\n\t" \
    "smlad  %[a1], %[q], %[x23], %[a1]\n\t" \
    "ldrd   %[x01], %[x23], [%[pb]], #8\n\t" \
    "smlad  %[b0], %[pl], %[x01], %[b0]\n\t" \
    "smlad  %[b0], %[p], %[x23], %[b0]\n\t" \
    "smlad  %[b1], %[ql], %[x01], %[b1]\n\t" \
    "smlad  %[b1], %[q], %[x23], %[b1]\n\t"

void mb_conv_dots(const mb_conv_t *s, const int16_t *ca, const int16_t *cb,
                  int32_t *acc)
{
    const int8_t *w = s->weight;
    const int32_t len = s->row_len, out_ch = s->out_ch;
    int32_t o = 0, n;
    /* rows o, o + 1 (their words alternate) at positions a (ca), b (cb) */
#define MB_CONV_OPERANDS \
    : [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [w] "+r"(w), \
      [pa] "+r"(pa), [pb] "+r"(pb), [p] "=&r"(p), [q] "=&r"(q), [pl] "=&r"(pl), \
      [ql] "=&r"(ql), [x01] "=&r"(x01), [x23] "=&r"(x23) \
    : [end] "r"(end) \
    : "cc", "memory"
#define MB_CONV_BLOCKS(GROUPS)                                                    \
    for (; o + 1 < out_ch; o += 2, acc += 4) {                                   \
        const int8_t *end = w + 2 * len;                                          \
        const int16_t *pa = ca, *pb = cb;                                         \
        int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;                                   \
        uint32_t p, q, pl, ql, x01, x23;                                          \
        GROUPS                                                                    \
        acc[0] = a0;                                                              \
        acc[1] = b0;                                                              \
        acc[2] = a1;                                                              \
        acc[3] = b1;                                                              \
    }
#ifdef __OPTIMIZE_SIZE__ /* -Os: one group of four inputs per turn */
    MB_CONV_BLOCKS(__asm__ volatile("1:\n\t" MB_CONV_GROUP "cmp    %[w], %[end]\n\t"
                                    "bne    1b" MB_CONV_OPERANDS);)
#else
    /* two groups per turn; an odd count of groups starts with one (decided
       once, not per block) */
    if (len & 4) {
        MB_CONV_BLOCKS(__asm__ volatile(MB_CONV_GROUP MB_CONV_OPERANDS);
                       if (w != end) __asm__ volatile(
                           "1:\n\t" MB_CONV_GROUP MB_CONV_GROUP
                           "cmp    %[w], %[end]\n\t"
                           "bne    1b" MB_CONV_OPERANDS);)
    } else {
        MB_CONV_BLOCKS(__asm__ volatile("1:\n\t" MB_CONV_GROUP MB_CONV_GROUP
                                        "cmp    %[w], %[end]\n\t"
                                        "bne    1b" MB_CONV_OPERANDS);)
    }
#endif
    if (o < out_ch) { /* an odd last row */
        int32_t a = 0, b = 0;
        for (n = 0; n < len; n += 4) {
            const uint32_t p = mb_word(w + n);
            const int16x2_t lo = __sxtb16(p), hi = mb_sxtb16_ror8(p);
            MB_MAC4(a, lo, hi, (int16x2_t)mb_word(ca + n), (int16x2_t)mb_word(ca + n + 2));
            MB_MAC4(b, lo, hi, (int16x2_t)mb_word(cb + n), (int16x2_t)mb_word(cb + n + 2));
        }
        acc[0] = a;
        acc[1] = b;
    }
}

/* A gate row's pre-activation sat16((acc m + half) >> shift) (SSAT). */
#define MB_PRE(acc, m) __ssat(((acc) * (m) + half) >> shift, 16)

#define MB_LSTM_GROUP \
    "ldrd   %[x01], %[x23], [%[v]], #8\n\t" \
    "ldrd   %[p], %[q], [%[w]], #16\n\t" \
    "ldrd   %[u], %[z], [%[w], #-8]\n\t" \
    "sxtb16 %[lo], %[p]\n\t" \
    "sxtb16 %[p], %[p], ror #8\n\t" \
    "smlad  %[a0], %[lo], %[x01], %[a0]\n\t" \
    "smlad  %[a0], %[p], %[x23], %[a0]\n\t" \
    "sxtb16 %[lo], %[q]\n\t" \
    "sxtb16 %[q], %[q], ror #8\n\t" \
    "smlad  %[a1], %[lo], %[x01], %[a1]\n\t" \
    "smlad  %[a1], %[q], %[x23], %[a1]\n\t" \
    "sxtb16 %[lo], %[u]\n\t" \
    "sxtb16 %[u], %[u], ror #8\n\t" \
    "smlad  %[a2], %[lo], %[x01], %[a2]\n\t" \
    "smlad  %[a2], %[u], %[x23], %[a2]\n\t" \
    "sxtb16 %[lo], %[z]\n\t" \
    "sxtb16 %[z], %[z], ror #8\n\t" \
    "smlad  %[a3], %[lo], %[x01], %[a3]\n\t" \
    "smlad  %[a3], %[z], %[x23], %[a3]\n\t"

#ifndef __OPTIMIZE_SIZE__
/* The sigmoid (t = 0) or tanh (t = 1) of two Q3.12 values in the 16-bit
   lanes of v: mb_sigmoid and mb_tanh, lane by lane where the lanes cannot
   share an instruction (the table lookups). */
static inline int16x2_t mb_act2(int16x2_t v, const int32_t t)
{
    const int16x2_t zero = 0, top = (int16x2_t)0x80008000u;
    int16x2_t a, s;
    int32_t s0, s1;
    if (t) v = __qadd16(v, v);          /* tanh: sat16(2 x) */
    a = __qsub16(zero, v);              /* min(|x|, 32767) ... */
    (void)__ssub16(v, zero);            /* GE: lanes with x >= 0 */
    a = __sel(v, a);
    s0 = __smlad(mb_sigmoid_table[(a >> 8) & 127], (a & 255) | 256 << 16, 128) >> 8;
    s1 = __smlad(mb_sigmoid_table[(uint32_t)a >> 24],
                 (((uint32_t)a >> 16) & 255) | 256 << 16, 128);
    /* lanes (s0, s1 >> 8): PKHBT takes the top half of s1 << 8 */
    __asm__("pkhbt %0, %1, %2, lsl #8" : "=r"(s) : "r"(s0), "r"(s1));
    a = __ssub16(top, s);               /* where x < 0, 32768 - s (mod 2^16) */
    (void)__ssub16(v, zero);
    s = __sel(s, a);
    if (t) s = __uadd16(__uadd16(s, s), top); /* 2 s - 32768 */
    return s;
}

/* mb_act2 over eight values in place, for one function (t constant in each
   loop, so that the compiler keeps the lanes' code free of its tests) */
static void mb_act8(int16_t *x, int32_t t)
{
    int16x2_t v;
    int32_t k;
    if (t)
        for (k = 0; k < 8; k += 2) {
            v = mb_act2((int16x2_t)mb_word(x + k), 1);
            memcpy(x + k, &v, sizeof v);
        }
    else
        for (k = 0; k < 8; k += 2) {
            v = mb_act2((int16x2_t)mb_word(x + k), 0);
            memcpy(x + k, &v, sizeof v);
        }
}
#endif

void mb_lstm_gates(const mb_model_t *m, const mb_lstm_t *d, const int16_t *v,
                   int16_t *act)
{
    const int32_t rows = 4 * m->hidden, grouped_rows = m->hidden / 8 * 32;
    const int32_t len = m->lstm_row_len, shift = d->shift;
    const int32_t half = (int32_t)1 << (shift - 1);
    const int8_t *w = d->weight;
    const int32_t *bias = d->bias;
    const int16_t *mult = d->multiplier;
    const int16_t *const end = v + len;
    int32_t r;
    /* a block of four rows (their words alternate) against v: the dot
       products in registers, then the pre-activations into act */
#define MB_LSTM_OPERANDS \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w), \
      [v] "+r"(pv), [p] "=&r"(p), [q] "=&r"(q), [u] "=&r"(u), [z] "=&r"(z), \
      [lo] "=&r"(lo), [x01] "=&r"(x01), [x23] "=&r"(x23) \
    : [end] "r"(end) \
    : "cc", "memory"
#define MB_LSTM_BLOCKS(GROUPS)                                                    \
    for (r = 0; r < rows; r += 4, act += 4, bias += 4, mult += 4) {              \
        const int16_t *pv = v;                                                    \
        int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];           \
        uint32_t p, q, u, z, lo, x01, x23;                                        \
        GROUPS                                                                    \
        act[0] = (int16_t)MB_PRE(a0, mult[0]);                                    \
        act[1] = (int16_t)MB_PRE(a1, mult[1]);                                    \
        act[2] = (int16_t)MB_PRE(a2, mult[2]);                                    \
        act[3] = (int16_t)MB_PRE(a3, mult[3]);                                    \
    }
#ifdef __OPTIMIZE_SIZE__ /* -Os: one group of four inputs per turn */
    MB_LSTM_BLOCKS(__asm__ volatile("1:\n\t" MB_LSTM_GROUP "cmp    %[v], %[end]\n\t"
                                    "bne    1b" MB_LSTM_OPERANDS);)
#else
    /* two groups per turn; an odd count of groups starts with one (decided
       once, not per block) */
    if (len & 4) {
        MB_LSTM_BLOCKS(__asm__ volatile(MB_LSTM_GROUP MB_LSTM_OPERANDS);
                       if (pv != end) __asm__ volatile(
                           "1:\n\t" MB_LSTM_GROUP MB_LSTM_GROUP
                           "cmp    %[v], %[end]\n\t"
                           "bne    1b" MB_LSTM_OPERANDS);)
    } else {
        MB_LSTM_BLOCKS(__asm__ volatile("1:\n\t" MB_LSTM_GROUP MB_LSTM_GROUP
                                        "cmp    %[v], %[end]\n\t"
                                        "bne    1b" MB_LSTM_OPERANDS);)
    }
#endif
    /* then the activations, a gate of eight units (one function) at a time,
       and i f g o of each unit past the groups of eight */
    act -= rows;
#ifdef __OPTIMIZE_SIZE__ /* -Os: one gate at a time, the smaller code */
    for (r = 0; r < grouped_rows; r++)
        act[r] = (int16_t)(((r >> 3) & 3) == 2 ? mb_tanh(act[r]) : mb_sigmoid(act[r]));
#else
    for (r = 0; r < grouped_rows; r += 8) mb_act8(act + r, ((r >> 3) & 3) == 2);
#endif
    mb_unit_acts(act, r, rows);
}

#else
typedef int mb_kernels_arm_dsp_unused; /* ISO C: no empty translation unit */
#endif
