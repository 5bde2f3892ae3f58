/* microbi.h: the integer MicroBi-ConvLSTM runtime of skmicrobi (do not edit).
 *
 * A model exported by skmicrobi.export.export_c is one constant structure,
 * mb_model_t, that holds pointers to its int8 weights, int32 biases and
 * fixed-point scales and the sizes of every layer; mb_predict runs it. The
 * integers are specified by skmicrobi's numpy engine (skmicrobi.int8) and the
 * kernels compute exactly those integers on every target.
 *
 * Kernels, chosen at compile time (one of them is built; the others compile to
 * nothing):
 *   microbi_kernels_arm_dsp.c  Armv7E-M / Armv8-M Mainline with the DSP
 *                              extension (__ARM_FEATURE_DSP: Cortex-M4, M7,
 *                              M33, M55): dual 16-bit MACs (SMLAD, SXTB16)
 *   microbi_kernels_sse2.c     x86 hosts (__SSE2__)
 *   microbi_kernels_plain.c    any other target (Cortex-M0+, RISC-V, ESP32),
 *                              or any target with MICROBI_PORTABLE defined
 * microbi.c holds what all of them share: the layer sequence, receptive fields,
 * pooling, the LSTM cell and the sigmoid table.
 *
 * Memory: the caller owns the scratch buffer (the model's scratch_bytes, a
 * 4-byte aligned block), so mb_predict is reentrant; no malloc, no recursion,
 * no floating-point type.
 *
 * Weights are signed int8, each row padded with zeros to a multiple of four.
 * Within every group of four the stored order is w0 w2 w1 w3 (SXTB16 of the
 * word and of the word rotated by 8 bits give the pairs (w0, w1) and (w2, w3)),
 * and the rows of a layer go in blocks (two rows for a conv stage, four for an
 * LSTM direction) whose 32-bit words alternate: word k of each row of the
 * block, then word k + 1, so that one load brings a word of every row; rows
 * past the last full block follow one after the other. Tables are 4-byte
 * aligned.
 */
#ifndef MICROBI_H
#define MICROBI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this runtime; a model's .c refuses to build against another. */
#define MICROBI_RUNTIME_VERSION 2

/* One Conv1d -> ReLU -> MaxPool stage with BatchNorm folded in. */
typedef struct {
    const int8_t *weight;      /* out_ch rows of row_len (in_ch * kernel, padded),
                                  in blocks of two */
    const int32_t *bias;       /* out_ch, input zero point folded in */
    const int16_t *multiplier; /* out_ch: requantisation m * 2^-shift */
    const int8_t *shift;       /* out_ch */
    const int16_t *zero_in;    /* in_ch input zero points (pads), or NULL: */
    int16_t zero_pad;          /* the one zero point of every input channel */
    uint16_t in_ch, out_ch, kernel, row_len;
    uint16_t in_len, out_len, pool; /* out_len = in_len / pool */
    int16_t zero_out;               /* int8 code of real 0 at the output */
    uint16_t out_offset; /* where in the int8 activations the output goes: even
                            stages from the start, odd ones up to the end, so a
                            stage's input and output never overlap */
} mb_conv_t;

/* One LSTM direction. Gate rows [W_ih | W_hh] of lstm_row_len weights (padded),
   in blocks of four; hidden units in groups of eight with their rows gate by
   gate (i f g o of eight units), then the remaining units with their four rows
   together (one block each). */
typedef struct {
    const int8_t *weight;
    const int32_t *bias;
    const int16_t *multiplier; /* to Q3.12 with the direction's shift */
    int16_t shift;
    int16_t reverse;
} mb_lstm_t;

enum { MB_REDUCE_FINAL = 0, MB_REDUCE_LAST = 1, MB_REDUCE_MEAN = 2 };

typedef struct {
    uint16_t n_channels, n_timepoints, n_classes;
    uint16_t input_bits; /* 16: int16_t input window, 8: int8_t */
    const mb_conv_t *conv;
    uint16_t n_conv;
    const mb_lstm_t *lstm;
    uint16_t n_directions, hidden, lstm_in, steps, lstm_row_len;
    int16_t hidden_multiplier, hidden_shift;
    uint16_t reduction;
    const int8_t *head_weight; /* n_classes rows of n_directions * hidden */
    const int32_t *head_bias;
    /* scratch: int32 words, then int16 values, then int8 activations */
    uint16_t work32_len, work16_len;
    uint16_t scratch_bytes;
} mb_model_t;

/* Logits (one int32 per class) of one window: in[c * n_timepoints + t], of
   int16_t or int8_t as model->input_bits says. scratch: model->scratch_bytes
   bytes, 4-byte aligned, not shared with another call running at the time. */
void mb_predict(const mb_model_t *model, const void *in, int32_t *logits,
                void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MICROBI_H */
