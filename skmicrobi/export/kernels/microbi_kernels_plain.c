/* microbi_kernels_plain.c: the reference kernels in plain C99, for any target
 * without a faster file (Cortex-M0+, RISC-V, ESP32) and for MICROBI_PORTABLE
 * builds (skmicrobi runtime; do not edit). See microbi_kernels.h.
 *
 * The weight layout is microbi.h's: a group of four stored weights w0 w2 w1 w3
 * meets the inputs v0 v1 v2 v3 as w[0] v[0] + w[2] v[1] + w[1] v[2] + w[3] v[3],
 * and the rows of a block alternate word by word. With GCC or Clang on a
 * little-endian target the groups are read as 32-bit words (one load for four
 * weights, one for two inputs); otherwise, or with MICROBI_BYTEWISE defined,
 * byte by byte. Every partial sum fits int32 (bounded when the model is built). */
#include <stddef.h>

#include "microbi_kernels.h"

#if MB_KERNELS_PLAIN

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && !defined(MICROBI_BYTEWISE) \
    && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <string.h>

/* A word of four weights or two int16 inputs: both are 4-byte aligned (tables
   and scratch, groups of four), and one load beats four on cores without
   unaligned access (Cortex-M0+, RV32): the compiler turns memcpy into LDR. */
static inline uint32_t mb_load32(const void *p)
{
    uint32_t w;
    memcpy(&w, __builtin_assume_aligned(p, 4), sizeof w);
    return w;
}

/* The weight word W (bytes w0 w2 w1 w3) times the inputs v0..v3, read as the
   words X (v0 v1) and Y (v2 v3): little-endian byte and halfword order. */
#define MB_DOT4W(W, X, Y) \
    ((int8_t)(W) * (int16_t)(X) + (int8_t)((W) >> 16) * ((int32_t)(X) >> 16) \
     + (int8_t)((W) >> 8) * (int16_t)(Y) + ((int32_t)(W) >> 24) * ((int32_t)(Y) >> 16))
#define MB_DOT4(w, v) \
    MB_DOT4W(mb_load32(w), mb_load32(v), mb_load32((v) + 2))
#else
/* w . v over one group of four, a byte at a time (any compiler, any byte order;
   MICROBI_BYTEWISE forces it) */
#define MB_DOT4(w, v) ((w)[0] * (v)[0] + (w)[2] * (v)[1] + (w)[1] * (v)[2] + (w)[3] * (v)[3])
#endif

/* Row o of a layer whose rows go in blocks of `block`: where it starts, and
   the distance between its words (4 * block bytes; 4 past the last block). */
static const int8_t *mb_row(const int8_t *w, int32_t o, int32_t rows, int32_t len,
                            int32_t block, int32_t *stride)
{
    const int32_t full = rows / block * block;
    *stride = o < full ? 4 * block : 4;
    return o < full ? w + (o / block) * block * len + (o % block) * 4 : w + o * len;
}

/* One row at a time, as few registers as a Cortex-M0+ has: its weights are
   read once for the two positions. */
void mb_conv_dots(const mb_conv_t *s, const int16_t *ca, const int16_t *cb,
                  int32_t *acc)
{
    const int32_t len = s->row_len;
    const ptrdiff_t gap = cb - ca; /* one pointer walks both fields */
    const int16_t *end = ca + len, *x;
    int32_t o, a, b, stride;
    for (o = 0; o < s->out_ch; o++) {
        const int8_t *w = mb_row(s->weight, o, s->out_ch, len, 2, &stride);
        a = b = 0;
        for (x = ca; x < end; x += 4, w += stride) {
#ifdef MB_DOT4W
            const uint32_t q = mb_load32(w);
            a += MB_DOT4W(q, mb_load32(x), mb_load32(x + 2));
            b += MB_DOT4W(q, mb_load32(x + gap), mb_load32(x + gap + 2));
#else
            a += MB_DOT4(w, x);
            b += MB_DOT4(w, x + gap);
#endif
        }
        acc[2 * o] = a;
        acc[2 * o + 1] = b;
    }
}

void mb_lstm_gates(const mb_model_t *m, const mb_lstm_t *d, const int16_t *v,
                   int16_t *act)
{
    const int32_t rows = 4 * m->hidden, grouped_rows = m->hidden / 8 * 32;
    const int32_t len = m->lstm_row_len;
    const int16_t *end = v + len, *x;
    int32_t r, a, stride;
    for (r = 0; r < rows; r++) {
        const int8_t *w = mb_row(d->weight, r, rows, len, 4, &stride);
        a = d->bias[r];
        for (x = v; x < end; x += 4, w += stride) a += MB_DOT4(w, x);
        act[r] = (int16_t)mb_gate(a, d->multiplier[r], d->shift,
                                  mb_gate_of(r, grouped_rows));
    }
}

#else
typedef int mb_kernels_plain_unused; /* ISO C: no empty translation unit */
#endif
