/* board.h: the three things main.c needs from your board support code. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

/* Clocks, the sensor (range, output data rate = the training sampling rate),
 * its data-ready interrupt or a timer, and the output (UART, BLE, LED...). */
void board_init(void);

/* Block (e.g. in WFI) until the sensor has a new sample; write its raw
 * readings, one int16 per model channel, in the channel order of training. */
void board_wait_sample(int16_t *sample);

/* Do something with the class index (0 .. HAR_N_CLASSES - 1), in the order of
 * the classifier's classes_ (listed in har.h). */
void board_report(uint32_t class_index);

#endif /* BOARD_H */
