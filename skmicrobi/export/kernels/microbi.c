/* microbi.c: the layer sequence of an integer MicroBi-ConvLSTM, shared by every
 * kernel file (skmicrobi runtime; do not edit). The integers are those of
 * skmicrobi.int8.engine.predict_logits; see microbi.h. */
#include <string.h>

#include "microbi_kernels.h"

/* T[i] + (T[i + 1] - T[i]) * 2^16 for the sigmoid table T = skmicrobi.int8.
   fixedpoint.SIGMOID_TABLE (sigmoid(i / 16) in Q0.15): one load per lookup. */
const int32_t mb_sigmoid_table[128] = {
    33570816, 33505792, 33375231, 33113596, 32917493, 32590315, 32263132, 31804872,
    31281069, 30822794, 30167904, 29578540, 28923631, 28268712, 27548247, 26762235,
    26041747, 25255712, 24469665, 23683606, 22831999, 22045915, 21259819, 20408175,
    19687590, 18835922, 18115313, 17329157, 16542989, 15887881, 15167227, 14446562,
    13791422, 13136272, 12481112, 11957014, 11301836, 10712184, 10253595, 9663927,
    9205322, 8746710, 8222555, 7829464, 7436367, 6977728, 6650154, 6257039,
    5929454, 5601864, 5274269, 5012205, 4684601, 4488064, 4160452, 3963907,
    3767359, 3505272, 3374253, 3112160, 2981135, 2784572, 2588006, 2522509,
    2325939, 2194902, 2063863, 1932822, 1867315, 1736271, 1605225, 1539713,
    1474200, 1343150, 1277634, 1212117, 1146599, 1081080, 1015560, 950039,
    884517, 818994, 819006, 753482, 687957, 687967, 622441, 622450,
    556923, 491395, 491402, 491409, 425880, 425886, 425892, 360362,
    360367, 294836, 360376, 294845, 294849, 229317, 294856, 229324,
    229327, 229330, 163797, 229335, 163802, 163804, 163806, 163808,
    163810, 163812, 98278, 163815, 98281, 98282, 163819, 98285,
    98286, 98287, 98288, 98289, 98290, 98291, 32756, 98292};

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

/* Column k of the receptive field at position pos - k + pad (col = field + k):
   x[c][pos] for every channel c, or the channel's zero point outside. */
static void mb_column(const mb_conv_t *s, const void *x, uint16_t bits, int16_t *col,
                      int32_t pos)
{
    const int32_t n = s->in_ch, k = s->kernel, len = s->in_len;
    int32_t c;
    if (pos < 0 || pos >= len) {
        for (c = 0; c < n; c++, col += k)
            *col = s->zero_in ? s->zero_in[c] : s->zero_pad;
    } else if (bits == 8) {
        const int8_t *p = (const int8_t *)x + pos;
        for (c = 0; c < n; c++, col += k, p += len) *col = *p;
    } else {
        const int16_t *p = (const int16_t *)x + pos;
        for (c = 0; c < n; c++, col += k, p += len) *col = *p;
    }
}

/* best[o] <- max(best[o], acc[2 o + q] + bias[o]), or its first value (first);
   then, if the pooling window closes (last), the int8 output u of every
   channel. */
static void mb_pool(const mb_conv_t *s, const int32_t *acc, int32_t q, int32_t *best,
                    int32_t first, int32_t last, int8_t *y)
{
    /* locals: stores through int8_t *y may alias anything, so the compiler
       would reload every field of s after each */
    const int32_t n = s->out_ch, out_len = s->out_len, z = s->zero_out;
    const int32_t *bias = s->bias;
    const int16_t *m = s->multiplier;
    const int8_t *shift = s->shift;
    int32_t o, a;
    acc += q;
    for (o = 0; o < n; o++, acc += 2) {
        a = *acc + bias[o];
        if (!first && best[o] > a) a = best[o];
        best[o] = a;
        if (last)
            y[o * out_len] = (int8_t)mb_sat(z + mb_requantize(a, m[o], shift[o]), z, 127);
    }
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
    const int32_t taps = s->in_ch * s->kernel, pad = s->kernel / 2, pool = s->pool;
    const int32_t positions = s->out_len * pool;
    int32_t t, k, j = 0, q, o;
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
        if (pool % 2 == 0) {
            /* t and t + 1 share a window: pool their maxima first */
            for (o = 0; o < s->out_ch; o++)
                if (acc[2 * o + 1] > acc[2 * o]) acc[2 * o] = acc[2 * o + 1];
            mb_pool(s, acc, 0, best, j == 0, j == pool - 2, y);
            j += 2;
            if (j == pool) {
                j = 0;
                y++;
            }
        } else {
            /* j: where position t + q lies in its pooling window */
            for (q = 0; q < 2 && t + q < positions; q++) {
                mb_pool(s, acc, q, best, j == 0, j == pool - 1, y);
                if (++j == pool) {
                    j = 0;
                    y++;
                }
            }
        }
    }
}

/* Cell state and hidden state of n units whose gate activations i f g o lie
   `gap` apart in act, the units `step` apart: c' = (f c + 2^14 >> 15) + (i g +
   2^17 >> 18) (Q15 Q12 -> Q12 and Q15 Q15 -> Q12), with c = ch 2^15 + cl so
   that f c needs no 64 bits: f ch + (f cl + 2^14 >> 15); then h = clamp(((o
   tanh(c') >> 16) m_h + 2^(s_h-1)) >> s_h, -127, 127). */
static void mb_cells(const int16_t *act, int32_t gap, int32_t step, int32_t n,
                     int32_t *c, int16_t *h, int32_t h_m, int32_t h_s)
{
    /* s_h > 30 leaves every h at 0: |(o tanh) >> 16| <= 2^14, m_h < 2^15 */
    const int32_t h_half = h_s > 30 ? 0 : (int32_t)1 << (h_s - 1);
    int32_t j, ig, fg, gg, og, cc, p;
    if (h_s > 30) h_m = 0, h_s = 30;
    for (j = 0; j < n; j++, act += step) {
        ig = act[0];
        fg = act[gap];
        gg = act[2 * gap];
        og = act[3 * gap];
        cc = c[j];
        cc = fg * (cc >> 15) + ((fg * (cc & 32767) + 16384) >> 15)
             + ((ig * gg + 131072) >> 18);
        c[j] = cc;
        p = ((og * mb_tanh(cc)) >> 16) * h_m + h_half;
        h[j] = (int16_t)mb_sat(p >> h_s, -127, 127);
    }
}

/* One LSTM direction over the int8 output x of the last conv stage. v holds
   [x_t, h, 0...] (lstm_row_len entries), act the gate activations; c (the cell
   state, Q.12) and feat (the reduced features of this direction) are int32. */
static void mb_lstm(const mb_model_t *m, const mb_lstm_t *d, const int8_t *x,
                    int16_t *v, int16_t *act, int32_t *c, int32_t *feat)
{
    const int32_t hidden = m->hidden, steps = m->steps, n_in = m->lstm_in;
    const int32_t grouped = hidden / 8 * 8, h_m = m->hidden_multiplier;
    const int32_t h_s = m->hidden_shift, reduction = m->reduction;
    int16_t *h = v + n_in;
    int32_t step, t, i, j;
    for (i = n_in; i < m->lstm_row_len; i++) v[i] = 0;
    for (j = 0; j < hidden; j++) c[j] = feat[j] = 0;
    for (step = 0; step < steps; step++) {
        t = d->reverse ? steps - 1 - step : step;
        for (i = 0; i < n_in; i++) v[i] = x[i * steps + t];
        mb_lstm_gates(m, d, v, act);
        /* groups of eight units: gate rows 8 apart; then the rest: 1 apart */
        for (j = 0; j < grouped; j += 8)
            mb_cells(act + 4 * j, 8, 1, 8, c + j, h + j, h_m, h_s);
        mb_cells(act + 4 * grouped, 1, 4, hidden - grouped, c + grouped, h + grouped,
                 h_m, h_s);
        if (reduction == MB_REDUCE_MEAN)
            for (j = 0; j < hidden; j++) feat[j] += h[j];
        else if (reduction == MB_REDUCE_LAST && t == steps - 1)
            for (j = 0; j < hidden; j++) feat[j] = h[j];
    }
    if (reduction == MB_REDUCE_FINAL)
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
