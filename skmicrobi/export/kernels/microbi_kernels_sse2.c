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

/* Sigmoid (t all zeros) or tanh (t all ones) of eight Q3.12 values: the
   lanes of mb_sigmoid and mb_tanh, with an eight-lane table lookup. */
static __m128i mb_act8(__m128i x, __m128i t)
{
    const __m128i top = _mm_set1_epi16(-32768), k256 = _mm_set1_epi16(256);
    const __m128i half = _mm_set1_epi32(128), zero = _mm_setzero_si128();
    __m128i a, neg, f, base = zero, step = zero, s0, s1;
    int32_t e;
    x = _mm_adds_epi16(x, _mm_and_si128(x, t));   /* tanh: sat16(2 x) */
    a = _mm_max_epi16(x, _mm_subs_epi16(zero, x)); /* min(|x|, 32767) */
    neg = _mm_cmpgt_epi16(zero, x);
    f = _mm_and_si128(a, _mm_set1_epi16(255));
    a = _mm_srli_epi16(a, 8);
    /* entry i: T[i] 2^16 + (T[i + 1] - T[i]) */
#define MB_GATHER(k)                                          \
    e = mb_sigmoid_table[_mm_extract_epi16(a, k)];            \
    base = _mm_insert_epi16(base, e >> 16, k);                \
    step = _mm_insert_epi16(step, e & 0xFFFF, k)
    MB_GATHER(0);
    MB_GATHER(1);
    MB_GATHER(2);
    MB_GATHER(3);
    MB_GATHER(4);
    MB_GATHER(5);
    MB_GATHER(6);
    MB_GATHER(7);
#undef MB_GATHER
    /* (T[i + 1] - T[i]) f + 256 T[i] + 128 >> 8 */
    s0 = _mm_madd_epi16(_mm_unpacklo_epi16(step, base), _mm_unpacklo_epi16(f, k256));
    s1 = _mm_madd_epi16(_mm_unpackhi_epi16(step, base), _mm_unpackhi_epi16(f, k256));
    s0 = _mm_srai_epi32(_mm_add_epi32(s0, half), 8);
    s1 = _mm_srai_epi32(_mm_add_epi32(s1, half), 8);
    x = _mm_packs_epi32(s0, s1);
    /* x < 0: 32768 - s, computed modulo 2^16 */
    x = _mm_or_si128(_mm_and_si128(neg, _mm_xor_si128(_mm_sub_epi16(zero, x), top)),
                     _mm_andnot_si128(neg, x));
    x = _mm_add_epi16(x, _mm_and_si128(x, t));     /* tanh: 2 s - 32768 */
    return _mm_xor_si128(x, _mm_and_si128(top, t));
}

/* The inputs v0 v2 v1 v3 of group n, twice: what PMADDWD meets the weights with */
static inline __m128i mb_group(const int16_t *v, int32_t n)
{
    const __m128i g = MB_SHUFFLE(_mm_loadl_epi64((const __m128i *)(const void *)(v + n)));
    return _mm_unpacklo_epi64(g, g);
}

/* Four rows' pre-activations sat16((bias + sum) m + half >> shift), as four
   int16 in the low half: s01 holds rows 0, 1 in lanes 0-1, 2-3, s23 rows 2, 3.
   int32 throughout (the bound is checked when the model is built); SSE2 has
   no PMULLD, two PMULUDQ give the low halves of the products (m >= 0). */
static inline __m128i mb_pre4(__m128i s01, __m128i s23, const int32_t *bias,
                              const int16_t *m, __m128i half, __m128i shift)
{
    __m128i acc, mm, even, odd;
    s01 = _mm_add_epi32(s01, _mm_srli_epi64(s01, 32)); /* rows 0, 1 in lanes 0, 2 */
    s23 = _mm_add_epi32(s23, _mm_srli_epi64(s23, 32));
    acc = _mm_unpacklo_epi64(_mm_shuffle_epi32(s01, _MM_SHUFFLE(3, 3, 2, 0)),
                             _mm_shuffle_epi32(s23, _MM_SHUFFLE(3, 3, 2, 0)));
    acc = _mm_add_epi32(acc, _mm_loadu_si128((const __m128i *)(const void *)bias));
    mm = _mm_unpacklo_epi16(_mm_loadl_epi64((const __m128i *)(const void *)m),
                            _mm_setzero_si128());
    even = _mm_mul_epu32(acc, mm);
    odd = _mm_mul_epu32(_mm_srli_epi64(acc, 32), _mm_srli_epi64(mm, 32));
    acc = _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
                             _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
    acc = _mm_sra_epi32(_mm_add_epi32(acc, half), shift);
    return _mm_packs_epi32(acc, acc);
}

void mb_lstm_gates(const mb_model_t *m, const mb_lstm_t *d, const int16_t *v,
                   int16_t *act)
{
    const int32_t rows = 4 * m->hidden, grouped_rows = m->hidden / 8 * 32;
    const int32_t len = m->lstm_row_len, shift = d->shift;
    const int32_t half = (int32_t)1 << (shift - 1);
    const int8_t *w = d->weight;
    /* the step's inputs shuffled once for every block (rows of up to 256
       inputs; longer ones in slices of 256, shuffled per block) */
    __m128i xs[64];
    const __m128i *x;
    const __m128i half4 = _mm_set1_epi32(half), shift4 = _mm_cvtsi32_si128(shift);
    int32_t r, n;
    for (r = 0; r < rows; r += 4) {
        /* rows r, r + 1 in lanes 0-1, 2-3 of s01; rows r + 2, r + 3 in s23 */
        __m128i s01 = _mm_setzero_si128(), s23 = s01, wv;
        for (n = 0; n < len; n += 4 * 64) { /* 64 groups of inputs at a time */
            const int32_t end = len - n < 4 * 64 ? len - n : 4 * 64;
            int32_t k;
            if (r == 0 || len > 4 * 64)
                for (k = 0; k < end; k += 4) xs[k / 4] = mb_group(v, n + k);
            for (x = xs; x < xs + end / 4; x++, w += 16) {
                wv = mb_load(w);
                s01 = _mm_add_epi32(s01, _mm_madd_epi16(MB_LO16(wv), *x));
                s23 = _mm_add_epi32(s23, _mm_madd_epi16(MB_HI16(wv), *x));
            }
        }
        _mm_storel_epi64((__m128i *)(void *)(act + r),
                         mb_pre4(s01, s23, d->bias + r, d->multiplier + r, half4,
                                 shift4));
    }
    /* the activations: a gate of eight units in one vector, then i f g o of
       each unit past the groups of eight */
    for (r = 0; r < grouped_rows; r += 8) {
        const __m128i t = ((r >> 3) & 3) == 2 ? _mm_set1_epi16(-1) : _mm_setzero_si128();
        _mm_storeu_si128((__m128i *)(void *)(act + r),
                         mb_act8(_mm_loadu_si128((const __m128i *)(const void *)(act + r)),
                                 t));
    }
    mb_unit_acts(act, r, rows);
}

#else
typedef int mb_kernels_sse2_unused; /* ISO C: no empty translation unit */
#endif
