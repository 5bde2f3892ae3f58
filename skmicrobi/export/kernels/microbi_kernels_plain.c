/* microbi_kernels_plain.c: the reference kernels in plain C99, for any target
 * without a faster file (Cortex-M0+, RISC-V, ESP32) and for MICROBI_PORTABLE
 * builds (skmicrobi runtime; do not edit). See microbi_kernels.h.
 *
 * Weights are stored w0 w2 w1 w3 in each group of four (microbi.h), so a group
 * meets the inputs v0 v1 v2 v3 as w[0] v[0] + w[2] v[1] + w[1] v[2] + w[3] v[3].
 * Every partial sum fits int32 (bounded when the model is built). */
#include "microbi_kernels.h"

#if MB_KERNELS_PLAIN

void mb_conv_dots(const mb_conv_t *s, const int16_t *ca, const int16_t *cb,
                  int32_t *acc)
{
    const int8_t *w = s->weight;
    int32_t o, n, a, b;
    for (o = 0; o < s->out_ch; o++) {
        a = 0;
        b = 0;
        for (n = 0; n < s->row_len; n += 4, w += 4) {
            a += w[0] * ca[n] + w[2] * ca[n + 1] + w[1] * ca[n + 2] + w[3] * ca[n + 3];
            b += w[0] * cb[n] + w[2] * cb[n + 1] + w[1] * cb[n + 2] + w[3] * cb[n + 3];
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
    const int8_t *w = d->weight;
    int32_t r, n, a;
    for (r = 0; r < rows; r++) {
        a = d->bias[r];
        for (n = 0; n < len; n += 4, w += 4)
            a += w[0] * v[n] + w[2] * v[n + 1] + w[1] * v[n + 2] + w[3] * v[n + 3];
        act[r] = (int16_t)mb_gate(a, d->multiplier[r], d->shift,
                                  mb_gate_of(r, grouped_rows));
    }
}

#else
typedef int mb_kernels_plain_unused; /* ISO C: no empty translation unit */
#endif
