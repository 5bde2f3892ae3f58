/* microbi.c: the layer sequence of an integer MicroBi-ConvLSTM, shared by every
 * kernel file (skmicrobi runtime; do not edit). The integers are those of
 * skmicrobi.int8.engine.predict_logits; see microbi.h. */
#include <string.h>

#include "microbi_kernels.h"

/* T[i] 2^16 + (T[i + 1] - T[i]) for the sigmoid table T = skmicrobi.int8.
   fixedpoint.SIGMOID_TABLE (sigmoid(i / 16) in Q0.15): one load per lookup. */
const int32_t mb_sigmoid_table[128] = {
    1073742336, 1107296767, 1140785661, 1174143481, 1207239158, 1240138225, 1272709612, 1304953317,
    1336738269, 1367998934, 1398800844, 1428947395, 1458504121, 1487405487, 1515651492, 1543176600,
    1569915277, 1595933057, 1621164405, 1645609321, 1669267804, 1692074320, 1714094404, 1735328055,
    1755709740, 1775370527, 1794179348, 1812267272, 1829568764, 1846083826, 1861943527, 1877082332,
    1891500242, 1905262792, 1918369982, 1930821814, 1942749356, 1954021539, 1964703900, 1974927507,
    1984561292, 1993736325, 2002452605, 2010644599, 2018443377, 2025848938, 2032795749, 2039414879,
    2045640794, 2051539029, 2057109584, 2062352460, 2067333191, 2071986244, 2076442687, 2080571452,
    2084503609, 2088239157, 2091712563, 2095054895, 2098135085, 2101084202, 2103836711, 2106392614,
    2108882979, 2111176737, 2113339423, 2115371037, 2117271580, 2119106586, 2120810520, 2122383383,
    2123890710, 2125332500, 2126643219, 2127888402, 2129068049, 2130182160, 2131230735, 2132213774,
    2133131277, 2133983244, 2134769676, 2135556107, 2136277002, 2136932362, 2137587721, 2138177545,
    2138767368, 2139291655, 2139750407, 2140209159, 2140667910, 2141061126, 2141454342, 2141847557,
    2142175237, 2142502916, 2142765061, 2143092740, 2143354884, 2143617027, 2143813636, 2144075779,
    2144272387, 2144468995, 2144665602, 2144796675, 2144993282, 2145124354, 2145255426, 2145386498,
    2145517570, 2145648642, 2145779713, 2145845250, 2145976321, 2146041857, 2146107394, 2146238465,
    2146304001, 2146369537, 2146435073, 2146500609, 2146566145, 2146631681, 2146697216, 2146697217};

#if defined(__GNUC__)
#define MB_NOINLINE __attribute__((noinline))
#else
#define MB_NOINLINE
#endif

/* The general case, in 64 bits: out of line, so that the compiler does not
   compute it speculatively next to the fast paths. */
static MB_NOINLINE int32_t mb_requantize64(int32_t acc, int32_t m, int32_t shift)
{
    return (int32_t)(((int64_t)acc * m + ((int64_t)1 << (shift - 1))) >> shift);
}

/* floor(acc * m / 2^shift + 1/2) for |acc| < 2^31, 0 <= m < 2^15, 1 <= shift
   <= 62, in 32-bit arithmetic where the shift allows: with acc = 2^16 ah + al
   (0 <= al < 2^16), acc m + 2^(shift-1) = 2^16 (ah m + 2^(shift-17)) + al m,
   whose floor division by 2^shift is (ah m + 2^(shift-17) + (al m >> 16)) >>
   (shift - 16), every term within int32 for 17 <= shift <= 46. Beyond 46 the
   result is 0 (|acc m| < 2^46 <= 2^(shift-1)); below 17 it needs 64 bits. */
static inline int32_t mb_requantize(int32_t acc, int32_t m, int32_t shift)
{
#if MB_KERNELS_ARM_DSP
    /* SMMULR gives (a b + 2^31) >> 32; with b = m 2^(32 - shift) < 2^31 that is
       the same floor, one instruction; other shifts (none in the paper's
       models) take the 64-bit product */
    if ((uint32_t)(shift - 17) <= 15u) {
        int32_t r;
        __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(acc), "r"(m << (32 - shift)));
        return r;
    }
#else
    if (shift >= 17) {
        if (shift > 46) return 0;
        return ((acc >> 16) * m + ((int32_t)1 << (shift - 17))
                + (int32_t)(((uint32_t)acc & 0xFFFFu) * (uint32_t)m >> 16))
               >> (shift - 16);
    }
#endif
    return mb_requantize64(acc, m, shift);
}

/* dst[i] = src[i + 1] for i < n: the receptive field of the next position.
   dst and src are 4-byte aligned, so for the plain kernels, with GCC or Clang
   on a little-endian target, two values move per aligned word (a halfword
   shift), where memcpy would copy byte by byte on cores without unaligned
   access (Cortex-M0+, RV32); cores with it keep their library's memcpy. */
static void mb_slide(int16_t *dst, const int16_t *src, int32_t n)
{
#if MB_KERNELS_PLAIN && defined(__GNUC__) && defined(__BYTE_ORDER__) \
    && !defined(MICROBI_BYTEWISE) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint32_t *s = (const uint32_t *)__builtin_assume_aligned(src, 4);
    uint32_t *d = (uint32_t *)__builtin_assume_aligned(dst, 4);
    uint32_t lo, hi;
    int32_t i;
    memcpy(&lo, s, sizeof lo);
    for (i = 0; i + 1 < n; i += 2) {
        memcpy(&hi, ++s, sizeof hi);
        lo = lo >> 16 | hi << 16;
        memcpy(d++, &lo, sizeof lo);
        lo = hi;
    }
    if (i < n) dst[i] = src[i + 1];
#else
    memcpy(dst, src + 1, (size_t)n * sizeof *dst);
#endif
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

/* a = acc[2 o + q] + bias[o] (q = 2: the larger of the two positions' sums,
   max commuting with the bias) for every channel o; with the running max
   best[o] unless the pooling window opens here (first); then, where it closes
   (last), the int8 output of the window, else the new running max. */
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
    for (o = 0; o < n; o++, acc += 2) {
        a = acc[q & 1];
        if (q == 2 && acc[1] > a) a = acc[1];
        a += bias[o];
        if (!first && best[o] > a) a = best[o];
        if (last)
            y[o * out_len] = (int8_t)mb_sat(z + mb_requantize(a, m[o], shift[o]), z, 127);
        else
            best[o] = a;
    }
}

#ifndef __OPTIMIZE_SIZE__
/* mb_pool for a pooling window of exactly the two positions of acc. */
static void mb_pool2(const mb_conv_t *s, const int32_t *acc, int8_t *y)
{
    const int32_t n = s->out_ch, out_len = s->out_len, z = s->zero_out;
    const int32_t *bias = s->bias;
    const int16_t *m = s->multiplier;
    const int8_t *shift = s->shift;
    int32_t o, a;
    for (o = 0; o < n; o++, acc += 2, y += out_len) {
        a = (acc[1] > acc[0] ? acc[1] : acc[0]) + bias[o];
        *y = (int8_t)mb_sat(z + mb_requantize(a, m[o], shift[o]), z, 127);
    }
}
#endif

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
    int32_t t, k, j = 0, q;
    for (k = 0; k < s->kernel; k++) mb_column(s, x, bits, ca + k, k - pad);
    for (k = taps; k < s->row_len; k++) ca[k] = cb[k] = 0;
    for (t = 0; t < positions; t += 2) {
        if (t > 0) {
            mb_slide(ca, cb, taps - 1);
            mb_column(s, x, bits, ca + s->kernel - 1, t + s->kernel - 1 - pad);
        }
        mb_slide(cb, ca, taps - 1);
        mb_column(s, x, bits, cb + s->kernel - 1, t + s->kernel - pad);
        mb_conv_dots(s, ca, cb, acc);
#ifndef __OPTIMIZE_SIZE__ /* -Os: every pooling factor by the general path */
        if (pool == 2) {
            /* the paper's pooling: t and t + 1 are one window, opened and
               closed here */
            mb_pool2(s, acc, y++);
        } else if (pool % 2 == 0) {
            /* t and t + 1 share a window */
            mb_pool(s, acc, 2, best, j == 0, j == pool - 2, y);
            j += 2;
            if (j == pool) {
                j = 0;
                y++;
            }
        } else
#endif
        {
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
    if (h_s > 30) {
        h_m = 0;
        h_s = 30;
    }
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
        /* mean: the sum over steps (the head's scale divides); last: h at the
           last input position; final: h after the direction's last step */
        if (reduction == MB_REDUCE_MEAN
            || (reduction == MB_REDUCE_LAST ? t : step) == steps - 1)
            for (j = 0; j < hidden; j++)
                feat[j] = (reduction == MB_REDUCE_MEAN ? feat[j] : 0) + h[j];
    }
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
