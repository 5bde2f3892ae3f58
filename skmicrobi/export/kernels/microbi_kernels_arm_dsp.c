#include "microbi_kernels.h"
typedef int mb_placeholder_arm_dsp;
