/* microbi.c: the layer sequence of an integer MicroBi-ConvLSTM, shared by every
 * kernel file (skmicrobi runtime; do not edit). The integers are those of
 * skmicrobi.int8.engine.predict_logits; see microbi.h. */
#include <string.h>

#include "microbi_kernels.h"

const int16_t mb_sigmoid_table[129] = {
    16384, 16896, 17407, 17916, 18421, 18923, 19420, 19912, 20397, 20874, 21344,
    21804, 22255, 22696, 23127, 23547, 23955, 24352, 24737, 25110, 25471, 25819,
    26155, 26479, 26790, 27090, 27377, 27653, 27917, 28169, 28411, 28642, 28862,
    29072, 29272, 29462, 29644, 29816, 29979, 30135, 30282, 30422, 30555, 30680,
    30799, 30912, 31018, 31119, 31214, 31304, 31389, 31469, 31545, 31616, 31684,
    31747, 31807, 31864, 31917, 31968, 32015, 32060, 32102, 32141, 32179, 32214,
    32247, 32278, 32307, 32335, 32361, 32385, 32408, 32430, 32450, 32469, 32487,
    32504, 32520, 32535, 32549, 32562, 32574, 32586, 32597, 32607, 32617, 32626,
    32635, 32643, 32650, 32657, 32664, 32670, 32676, 32682, 32687, 32692, 32696,
    32701, 32705, 32709, 32712, 32716, 32719, 32722, 32725, 32727, 32730, 32732,
    32734, 32736, 32738, 32740, 32742, 32743, 32745, 32746, 32747, 32749, 32750,
    32751, 32752, 32753, 32754, 32755, 32756, 32756, 32757};

/* floor(acc * m / 2^shift + 1/2) for |acc| < 2^31, 0 <= m < 2^15, 1 <= shift
   <= 62, in 32-bit arithmetic where the shift allows: with acc = 2^16 ah + al
   (0 <= al < 2^16), acc m + 2^(shift-1) = 2^16 (ah m + 2^(shift-17)) + al m,
   whose floor division by 2^shift is (ah m + 2^(shift-17) + (al m >> 16)) >>
   (shift - 16), every term within int32 for 17 <= shift <= 46. Beyond 46 the
   result is 0 (|acc m| < 2^46 <= 2^(shift-1)); below 17 it needs 64 bits. */
static int32_t mb_requantize(int32_t acc, int32_t m, int32_t shift)
{
    if (shift >= 17) {
        if (shift > 46) return 0;
        return ((acc >> 16) * m + ((int32_t)1 << (shift - 17))
                + (int32_t)(((uint32_t)acc & 0xFFFFu) * (uint32_t)m >> 16))
               >> (shift - 16);
    }
    return (int32_t)(((int64_t)acc * m + ((int64_t)1 << (shift - 1))) >> shift);
}

static int32_t mb_input(const void *x, uint16_t bits, int32_t i)
{
    return bits == 8 ? ((const int8_t *)x)[i] : ((const int16_t *)x)[i];
}

/* Column k of the receptive field at position t: x[c][t + k - pad] for every
   channel c, or the channel's zero point outside the window. */
static void mb_column(const mb_conv_t *s, const void *x, uint16_t bits, int16_t *col,
                      int32_t pos)
{
    int32_t c;
    const int32_t inside = pos >= 0 && pos < s->in_len;
    for (c = 0; c < s->in_ch; c++)
        col[c * s->kernel] = (int16_t)(inside ? mb_input(x, bits, c * s->in_len + pos)
                                              : (s->zero_in ? s->zero_in[c]
                                                            : s->zero_pad));
}

/* Conv (padded with the zero point), max-pool, requantise to int8. Positions
   go two at a time: ca and cb are the receptive fields of t and t + 1, each
   the other slid by one step, so only the newest column is read. The max runs
   on the accumulators (requantisation is non-decreasing). */
static void mb_conv(const mb_conv_t *s, const void *x, uint16_t bits, int8_t *y,
                    int16_t *work16, int32_t *work32)
{
    int16_t *ca = work16, *cb = work16 + s->row_len;
    int32_t *acc = work32, *best = work32 + 2 * s->out_ch;
    const int32_t taps = s->in_ch * s->kernel, pad = s->kernel / 2;
    const int32_t positions = s->out_len * s->pool;
    int32_t t, k, o, q, j, a;
    for (k = 0; k < s->kernel; k++) mb_column(s, x, bits, ca + k, k - pad);
    for (k = taps; k < s->row_len; k++) ca[k] = cb[k] = 0;
    for (t = 0; t < positions; t += 2) {
        if (t > 0) {
            memcpy(ca, cb + 1, (size_t)(taps - 1) * sizeof *ca);
            mb_column(s, x, bits, ca + s->kernel - 1, t + s->kernel - 1 - pad);
        }
        memcpy(cb, ca + 1, (size_t)(taps - 1) * sizeof *cb);
        mb_column(s, x, bits, cb + s->kernel - 1, t + s->kernel - pad);
        mb_conv_dots(s, ca, cb, acc);
        for (q = 0; q < 2 && t + q < positions; q++) {
            j = (t + q) % s->pool;
            for (o = 0; o < s->out_ch; o++) {
                a = acc[2 * o + q] + s->bias[o];
                if (j == 0 || a > best[o]) best[o] = a;
                if (j == s->pool - 1)
                    y[o * s->out_len + (t + q) / s->pool] = (int8_t)mb_sat(
                        s->zero_out + mb_requantize(best[o], s->multiplier[o],
                                                    s->shift[o]),
                        s->zero_out, 127);
            }
        }
    }
}

/* One LSTM direction over the int8 output x of the last conv stage. v holds
   [x_t, h, 0...] (lstm_row_len entries), act the gate activations; c (the cell
   state, Q.12) and feat (the reduced features of this direction) are int32. */
static void mb_lstm(const mb_model_t *m, const mb_lstm_t *d, const int8_t *x,
                    int16_t *v, int16_t *act, int32_t *c, int32_t *feat)
{
    const int32_t hidden = m->hidden, steps = m->steps, n_in = m->lstm_in;
    const int32_t grouped = hidden / 8 * 8;
    const int32_t h_half = m->hidden_shift > 30 ? 0 : (int32_t)1 << (m->hidden_shift - 1);
    int16_t *h = v + n_in;
    int32_t step, t, i, j, ig, fg, gg, og, cc, p;
    for (i = n_in; i < m->lstm_row_len; i++) v[i] = 0;
    for (j = 0; j < hidden; j++) c[j] = feat[j] = 0;
    for (step = 0; step < steps; step++) {
        t = d->reverse ? steps - 1 - step : step;
        for (i = 0; i < n_in; i++) v[i] = x[i * steps + t];
        mb_lstm_gates(m, d, v, act);
        for (j = 0; j < hidden; j++) {
            if (j < grouped) {
                p = j / 8 * 32 + j % 8;
                ig = act[p];
                fg = act[p + 8];
                gg = act[p + 16];
                og = act[p + 24];
            } else {
                p = 4 * j;
                ig = act[p];
                fg = act[p + 1];
                gg = act[p + 2];
                og = act[p + 3];
            }
            /* (f c + 2^14) >> 15 with c = ch 2^15 + cl: f ch + (f cl + 2^14 >> 15),
               then + (i g + 2^17) >> 18 (Q15 * Q15 -> Q12) */
            cc = c[j];
            cc = fg * (cc >> 15) + ((fg * (cc & 32767) + 16384) >> 15)
                 + ((ig * gg + 131072) >> 18);
            c[j] = cc;
            p = (og * mb_tanh(cc)) >> 16;
            p = m->hidden_shift > 30
                    ? 0
                    : (p * m->hidden_multiplier + h_half) >> m->hidden_shift;
            h[j] = (int16_t)mb_sat(p, -127, 127);
        }
        if (m->reduction == MB_REDUCE_MEAN)
            for (j = 0; j < hidden; j++) feat[j] += h[j];
        else if (m->reduction == MB_REDUCE_LAST && t == steps - 1)
            for (j = 0; j < hidden; j++) feat[j] = h[j];
    }
    if (m->reduction == MB_REDUCE_FINAL)
        for (j = 0; j < hidden; j++) feat[j] = h[j];
}

void mb_predict(const mb_model_t *m, const void *in, int32_t *logits, void *scratch)
{
    /* int32 words first, then int16, then int8: each buffer aligned for its type */
    int32_t *work32 = (int32_t *)scratch;
    int16_t *work16 = (int16_t *)(void *)(work32 + m->work32_len);
    int8_t *act = (int8_t *)(void *)(work16 + m->work16_len);
    int32_t *feat = work32 + m->hidden;
    const void *x = in;
    uint16_t bits = m->input_bits;
    int32_t i, k, j;
    int8_t *y;
    for (i = 0; i < m->n_conv; i++) {
        y = act + m->conv[i].out_offset;
        mb_conv(&m->conv[i], x, bits, y, work16, work32);
        x = y;
        bits = 8;
    }
    for (i = 0; i < m->n_directions; i++)
        mb_lstm(m, &m->lstm[i], (const int8_t *)x, work16, work16 + m->lstm_row_len,
                work32, feat + i * m->hidden);
    for (k = 0; k < m->n_classes; k++) {
        const int8_t *w = m->head_weight + k * m->n_directions * m->hidden;
        int32_t a = m->head_bias[k];
        for (j = 0; j < m->n_directions * m->hidden; j++) a += w[j] * feat[j];
        logits[k] = a;
    }
}
