/* microbi_kernels.h: what microbi.c asks of a kernel file, and the fixed-point
 * helpers they share (skmicrobi runtime; do not edit). Formulas: skmicrobi.int8. */
#ifndef MICROBI_KERNELS_H
#define MICROBI_KERNELS_H

#include "microbi.h"

#if (-1 >> 1) != -1
#error "microbi needs an arithmetic right shift of negative integers"
#endif

/* Exactly one kernel file is built. */
#if defined(MICROBI_PORTABLE)
#define MB_KERNELS_PLAIN 1
#elif defined(__SSE2__)
#define MB_KERNELS_SSE2 1
#elif defined(__ARM_FEATURE_DSP)
#define MB_KERNELS_ARM_DSP 1
#else
#define MB_KERNELS_PLAIN 1
#endif

/* acc[2 o] = w_o . ca and acc[2 o + 1] = w_o . cb for every weight row o of
   the stage (row_len entries each, no bias). */
void mb_conv_dots(const mb_conv_t *stage, const int16_t *ca, const int16_t *cb,
                  int32_t *acc);

/* One LSTM step's gate activations in Q0.15: for every row r of the
   direction, act[r] = sigmoid or tanh of sat16((bias[r] + w_r . v) * m[r] +
   2^(shift-1) >> shift), tanh for the rows of gate g. */
void mb_lstm_gates(const mb_model_t *model, const mb_lstm_t *dir, const int16_t *v,
                   int16_t *act);

/* Entry i: T[i] in the high 16 bits, T[i + 1] - T[i] in the low 16, for the
   table T[k] = sigmoid(k / 16) in Q0.15, k = 0..128 (microbi.c). */
extern const int32_t mb_sigmoid_table[128];

static inline int32_t mb_sat(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Which gate a row of an LSTM table belongs to (0 i, 1 f, 2 g, 3 o): units go
   in groups of eight, rows gate by gate, then the rest four rows each. */
static inline int32_t mb_gate_of(int32_t row, int32_t grouped_rows)
{
    return row < grouped_rows ? (row >> 3) & 3 : (row - grouped_rows) & 3;
}

#if MB_KERNELS_ARM_DSP
#include <arm_acle.h>
/* SSAT and USAT do the clamps, and one SMLAD the interpolation: T[i] 256 +
   (T[i + 1] - T[i]) f + 128 is the table entry's halves times (f, 256). */
static inline int32_t mb_sigmoid(int32_t x)
{
    const int32_t a = __usat(x < 0 ? -x : x, 15);
    const int32_t s = __smlad(mb_sigmoid_table[a >> 8], (a & 255) | 256 << 16, 128) >> 8;
    return x < 0 ? 32768 - s : s;
}

static inline int32_t mb_tanh(int32_t x)
{
    return 2 * mb_sigmoid(__ssat(__ssat(x, 16) * 2, 16)) - 32768;
}
#else
/* sigmoid of Q3.12 x in [-32768, 32767], Q0.15: table with linear
   interpolation, sigmoid(-x) = 1 - sigmoid(x). */
static inline int32_t mb_sigmoid(int32_t x)
{
    const int32_t a = x < 0 ? (x < -32767 ? 32767 : -x) : x;
    const int32_t e = mb_sigmoid_table[a >> 8];
    const int32_t s = (e >> 16) + (((e & 0xFFFF) * (a & 255) + 128) >> 8);
    return x < 0 ? 32768 - s : s;
}

/* tanh(x) = 2 sigmoid(2x) - 1 for any int32 x in Q.12: sat16(2 sat16(x)). */
static inline int32_t mb_tanh(int32_t x)
{
    const int32_t y = x > 16383 ? 32767 : (x < -16384 ? -32768 : 2 * x);
    return 2 * mb_sigmoid(y) - 32768;
}
#endif

/* Activations in place of the rows from r on, the units past the groups of
   eight: i f g o of one unit per four rows. */
static inline void mb_unit_acts(int16_t *act, int32_t r, int32_t rows)
{
    for (; r < rows; r += 4) {
        act[r] = (int16_t)mb_sigmoid(act[r]);
        act[r + 1] = (int16_t)mb_sigmoid(act[r + 1]);
        act[r + 2] = (int16_t)mb_tanh(act[r + 2]);
        act[r + 3] = (int16_t)mb_sigmoid(act[r + 3]);
    }
}

/* A gate row's activation from its int32 accumulator (bias included). The
   product acc * m + 2^(shift-1) fits int32 (checked when the model is built). */
static inline int32_t mb_gate(int32_t acc, int32_t m, int32_t shift, int32_t gate)
{
    const int32_t pre = mb_sat((acc * m + ((int32_t)1 << (shift - 1))) >> shift,
                               -32768, 32767);
    return gate == 2 ? mb_tanh(pre) : mb_sigmoid(pre);
}

#endif /* MICROBI_KERNELS_H */
