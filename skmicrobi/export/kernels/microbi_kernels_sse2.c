#include "microbi_kernels.h"
typedef int mb_placeholder_sse2;
