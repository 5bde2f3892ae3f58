/* main.c: activity recognition on a microcontroller with the model written by
 * skmicrobi.export_c(quantizer, "model", name="har").
 *
 * Samples arrive one at a time at the training sampling rate. The last
 * HAR_N_TIMEPOINTS samples are kept in a ring buffer, and every HOP samples
 * the window is unrolled (oldest first, channel-major) and classified: the
 * same windows as SlidingWindowTransformer(window_length=HAR_N_TIMEPOINTS,
 * stride=HOP) and StreamingPredictor cut from the stream. */
#include <stdint.h>

#include "board.h"
#include "har.h"

#ifndef HOP
#define HOP 64 /* samples between two predictions: the stride */
#endif

#if HAR_INPUT_BITS == 8 /* a model quantized with input_bits=8 */
typedef int8_t sample_t;
#else
typedef int16_t sample_t;
#endif

static sample_t ring[HAR_N_CHANNELS][HAR_N_TIMEPOINTS];
static sample_t window[HAR_N_CHANNELS * HAR_N_TIMEPOINTS];
static int32_t logits[HAR_N_CLASSES];
/* the model's working memory: int32_t elements keep it 4-byte aligned */
static int32_t scratch[(HAR_SCRATCH_BYTES + 3) / 4];

static uint32_t argmax(const int32_t *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t k = 1; k < n; ++k) {
        if (v[k] > v[best]) {
            best = k;
        }
    }
    return best;
}

int main(void)
{
    int16_t sample[HAR_N_CHANNELS]; /* as the sensor delivers them */
    uint32_t head = 0;               /* slot of the next sample in ring */
    uint32_t due = HAR_N_TIMEPOINTS; /* samples until the next window ends */

    board_init();
    for (;;) {
        board_wait_sample(sample);
        for (uint32_t c = 0; c < HAR_N_CHANNELS; ++c) {
            ring[c][head] = (sample_t)sample[c];
        }
        head = (head + 1u) % HAR_N_TIMEPOINTS;
        if (--due != 0) {
            continue;
        }
        due = HOP;
        /* head now points at the oldest sample of the window */
        for (uint32_t c = 0; c < HAR_N_CHANNELS; ++c) {
            for (uint32_t t = 0; t < HAR_N_TIMEPOINTS; ++t) {
                window[c * HAR_N_TIMEPOINTS + t] =
                    ring[c][(head + t) % HAR_N_TIMEPOINTS];
            }
        }
        har_predict(window, logits, scratch);
        board_report(argmax(logits, HAR_N_CLASSES));
    }
}
