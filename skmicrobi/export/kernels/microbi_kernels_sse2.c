/* microbi_kernels_sse2.c: kernels for x86 hosts (__SSE2__, every x86-64
 * compiler), so that the exported model runs at full speed where it is checked
 * and simulated (skmicrobi runtime; do not edit). See microbi_kernels.h.
 *
 * PMADDWD multiplies eight int16 pairs and adds neighbours. A group of four
 * stored weights w0 w2 w1 w3 (microbi.h) meets the inputs shuffled to v0 v2 v1
 * v3, so neighbours give w0 v0 + w2 v2 and w1 v1 + w3 v3. 16 bytes of a conv
 * table hold four inputs' weights of two rows, twice; 16 bytes of an LSTM table
 * four inputs' weights of four rows. The sums wrap modulo 2^32, so they are
 * exact whenever the true accumulator fits int32 (the model's bounds). */
#include "microbi_kernels.h"

#if MB_KERNELS_SSE2

#include <emmintrin.h>

/* int8 -> int16, sign-extended: the low eight bytes of b, and the high eight */
#define MB_LO16(b) _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8)
#define MB_HI16(b) _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8)
/* v0 v2 v1 v3 in each half of eight int16 */
#define MB_SHUFFLE(x) \
    _mm_shufflehi_epi16(_mm_shufflelo_epi16(x, _MM_SHUFFLE(3, 1, 2, 0)), \
                        _MM_SHUFFLE(3, 1, 2, 0))

static inline __m128i mb_load(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

/* lane 2 k + lane 2 k + 1 of a */
static inline int32_t mb_lane(__m128i a, int k)
{
    union {
        __m128i v;
        int32_t i[4];
    } u;
    u.v = a;
    return u.i[2 * k] + u.i[2 * k + 1];
}

void mb_conv_dots(const mb_conv_t *s, const int16_t *ca, const int16_t *cb,
                  int32_t *acc)
{
    const int8_t *w = s->weight;
    const int32_t len = s->row_len;
    int32_t o = 0, n;
    for (; o + 1 < s->out_ch; o += 2, acc += 4) {
        /* rows o and o + 1: lanes 0-1 and 2-3 of each sum */
        __m128i a = _mm_setzero_si128(), b = a, wv, xa, xb;
        for (n = 0; n + 8 <= len; n += 8, w += 16) {
            wv = mb_load(w);
            xa = MB_SHUFFLE(mb_load(ca + n));
            xb = MB_SHUFFLE(mb_load(cb + n));
            a = _mm_add_epi32(a, _mm_madd_epi16(MB_LO16(wv), _mm_unpacklo_epi64(xa, xa)));
            a = _mm_add_epi32(a, _mm_madd_epi16(MB_HI16(wv), _mm_unpackhi_epi64(xa, xa)));
            b = _mm_add_epi32(b, _mm_madd_epi16(MB_LO16(wv), _mm_unpacklo_epi64(xb, xb)));
            b = _mm_add_epi32(b, _mm_madd_epi16(MB_HI16(wv), _mm_unpackhi_epi64(xb, xb)));
        }
        if (n < len) { /* a last group of four */
            wv = _mm_loadl_epi64((const __m128i *)(const void *)w);
            xa = MB_SHUFFLE(_mm_loadl_epi64((const __m128i *)(const void *)(ca + n)));
            xb = MB_SHUFFLE(_mm_loadl_epi64((const __m128i *)(const void *)(cb + n)));
            a = _mm_add_epi32(a, _mm_madd_epi16(MB_LO16(wv), _mm_unpacklo_epi64(xa, xa)));
            b = _mm_add_epi32(b, _mm_madd_epi16(MB_LO16(wv), _mm_unpacklo_epi64(xb, xb)));
            w += 8;
        }
        acc[0] = mb_lane(a, 0);
        acc[1] = mb_lane(b, 0);
        acc[2] = mb_lane(a, 1);
        acc[3] = mb_lane(b, 1);
    }
    if (o < s->out_ch) { /* an odd last row, words one after the other */
        int32_t x = 0, y = 0;
        for (n = 0; n < len; n += 4, w += 4) {
            x += w[0] * ca[n] + w[2] * ca[n + 1] + w[1] * ca[n + 2] + w[3] * ca[n + 3];
            y += w[0] * cb[n] + w[2] * cb[n + 1] + w[1] * cb[n + 2] + w[3] * cb[n + 3];
        }
        acc[0] = x;
        acc[1] = y;
    }
}

void mb_lstm_gates(const mb_model_t *m, const mb_lstm_t *d, const int16_t *v,
                   int16_t *act)
{
    const int32_t rows = 4 * m->hidden, grouped_rows = m->hidden / 8 * 32;
    const int32_t len = m->lstm_row_len, shift = d->shift;
    const int8_t *w = d->weight;
    int32_t r, n, k, a;
    for (r = 0; r < rows; r += 4) {
        /* rows r, r + 1 in lanes 0-1, 2-3 of s01; rows r + 2, r + 3 in s23 */
        __m128i s01 = _mm_setzero_si128(), s23 = s01, wv, x;
        for (n = 0; n < len; n += 4, w += 16) {
            wv = mb_load(w);
            /* v shuffled, its four inputs twice */
            x = MB_SHUFFLE(_mm_loadl_epi64((const __m128i *)(const void *)(v + n)));
            x = _mm_unpacklo_epi64(x, x);
            s01 = _mm_add_epi32(s01, _mm_madd_epi16(MB_LO16(wv), x));
            s23 = _mm_add_epi32(s23, _mm_madd_epi16(MB_HI16(wv), x));
        }
        for (k = 0; k < 4; k++) {
            a = d->bias[r + k] + mb_lane(k < 2 ? s01 : s23, k & 1);
            act[r + k] = (int16_t)mb_gate(a, d->multiplier[r + k], shift,
                                          mb_gate_of(r + k, grouped_rows));
        }
    }
}

#else
typedef int mb_kernels_sse2_unused; /* ISO C: no empty translation unit */
#endif
