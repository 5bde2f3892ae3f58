/* microbi_kernels_plain.c: the reference kernels in plain C99, for any target
 * without a faster file (Cortex-M0+, RISC-V, ESP32) and for MICROBI_PORTABLE
 * builds (skmicrobi runtime; do not edit). See microbi_kernels.h.
 *
 * The weight layout is microbi.h's: a group of four stored weights w0 w2 w1 w3
 * meets the inputs v0 v1 v2 v3 as w[0] v[0] + w[2] v[1] + w[1] v[2] + w[3] v[3],
 * and the rows of a block alternate word by word. Every partial sum fits int32
 * (bounded when the model is built). */
#include "microbi_kernels.h"

#if MB_KERNELS_PLAIN

/* w . v over one group of four */
#define MB_DOT4(w, v) ((w)[0] * (v)[0] + (w)[2] * (v)[1] + (w)[1] * (v)[2] + (w)[3] * (v)[3])

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
    int32_t o, n, a, b, stride;
    for (o = 0; o < s->out_ch; o++) {
        const int8_t *w = mb_row(s->weight, o, s->out_ch, len, 2, &stride);
        a = b = 0;
        for (n = 0; n < len; n += 4, w += stride) {
            a += MB_DOT4(w, ca + n);
            b += MB_DOT4(w, cb + n);
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
    int32_t r, n, a, stride;
    for (r = 0; r < rows; r++) {
        const int8_t *w = mb_row(d->weight, r, rows, len, 4, &stride);
        a = d->bias[r];
        for (n = 0; n < len; n += 4, w += stride) a += MB_DOT4(w, v + n);
        act[r] = (int16_t)mb_gate(a, d->multiplier[r], d->shift,
                                  mb_gate_of(r, grouped_rows));
    }
}

#else
typedef int mb_kernels_plain_unused; /* ISO C: no empty translation unit */
#endif
