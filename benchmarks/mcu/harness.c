/* Freestanding test harness for the exported model under QEMU user mode.
 *
 * Reads int16 (int8 for a model with NAME_INPUT_BITS 8) windows (channel-major,
 * native byte order) from stdin and writes
 * each window's int32 logits to stdout, through Linux system calls only: no C
 * library start-up, no stdio, no heap. The entry point is _start; the kernel
 * (QEMU's loader) has already mapped .data and zeroed .bss, so nothing needs
 * initialising except, on RISC-V, the global pointer.
 *
 * Before the first window it paints MCUH_PAINT_WORDS words below the stack
 * pointer; at exit it reports on stderr how deep the calls made from _start
 * reached ("mcu-stack-bytes: 0x%08x"), a measured stack high-water mark.
 *
 * Compile with -DMCUH_HEADER='"name.h"' -DMCUH_NAME=name -DMCUH_UP=NAME. The model
 * is called through MCUH_PREDICT(in, logits, scratch), by default
 * name_predict(in, logits, scratch) with a caller-owned scratch buffer.
 * Its own names start with mcuh_/MCUH_, apart from the runtime's mb_/MB_: the
 * counts tell harness and model apart by those names.
 */
#include <stddef.h>
#include <stdint.h>
#include MCUH_HEADER

#define MCUH_CAT(a, b) a##b
#define MCUH_XCAT(a, b) MCUH_CAT(a, b)
#define MCUH_N_CHANNELS MCUH_XCAT(MCUH_UP, _N_CHANNELS)
#define MCUH_N_TIMEPOINTS MCUH_XCAT(MCUH_UP, _N_TIMEPOINTS)
#define MCUH_N_CLASSES MCUH_XCAT(MCUH_UP, _N_CLASSES)
#define MCUH_SCRATCH_BYTES MCUH_XCAT(MCUH_UP, _SCRATCH_BYTES)
#define MCUH_INPUT_BITS MCUH_XCAT(MCUH_UP, _INPUT_BITS)
#ifndef MCUH_PREDICT
#define MCUH_PREDICT(in, logits, scratch) \
    MCUH_XCAT(MCUH_NAME, _predict)((in), (logits), (scratch))
#endif
#define MCUH_N_IN (MCUH_N_CHANNELS * MCUH_N_TIMEPOINTS)
#define MCUH_PAINT_WORDS 4096u
#define MCUH_PAINT 0x5A17C0DEu

#if MCUH_INPUT_BITS == 8
static int8_t mcuh_in[MCUH_N_IN];
#else
static int16_t mcuh_in[MCUH_N_IN];
#endif
static int32_t mcuh_logits[MCUH_N_CLASSES];
/* uint32_t elements: 4-byte aligned, as the scratch contract requires */
static uint32_t mcuh_scratch[(MCUH_SCRATCH_BYTES + 3) / 4];

#if defined(__arm__)
#define MCUH_SYS_EXIT 1
#define MCUH_SYS_READ 3
#define MCUH_SYS_WRITE 4
static long mcuh_syscall3(long n, long a, long b, long c)
{
    register long r0 __asm__("r0") = a;
    register long r1 __asm__("r1") = b;
    register long r2 __asm__("r2") = c;
    register long r7 __asm__("r7") = n;
    __asm__ volatile("svc 0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
}
static uintptr_t mcuh_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}
#elif defined(__riscv)
#define MCUH_SYS_EXIT 93
#define MCUH_SYS_READ 63
#define MCUH_SYS_WRITE 64
static long mcuh_syscall3(long n, long a, long b, long c)
{
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
static uintptr_t mcuh_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    return sp;
}
#else
#error "harness.c: Arm (svc) or RISC-V (ecall) Linux user mode only"
#endif

/* Reads exactly n bytes unless stdin ends first; returns the bytes read. */
static size_t mcuh_read(void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        long r = mcuh_syscall3(MCUH_SYS_READ, 0, (long)((char *)buf + got),
                             (long)(n - got));
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static int mcuh_write(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        long r = mcuh_syscall3(MCUH_SYS_WRITE, fd, (long)((const char *)buf + put),
                             (long)(n - put));
        if (r <= 0)
            return 1;
        put += (size_t)r;
    }
    return 0;
}

/* Hexadecimal: no division, so no libgcc helper that the counts would have to
   tell apart from the model's. */
static void mcuh_report_stack(uint32_t bytes)
{
    static const char label[] = "mcu-stack-bytes: 0x";
    static const char hex[] = "0123456789abcdef";
    char digits[9];
    unsigned i;
    for (i = 0; i < 8u; ++i)
        digits[i] = hex[(bytes >> (28u - 4u * i)) & 0xFu];
    digits[8] = '\n';
    (void)mcuh_write(2, label, sizeof(label) - 1u);
    (void)mcuh_write(2, digits, sizeof(digits));
}

void _start(void) __attribute__((noreturn, used));

void _start(void)
{
    volatile uint32_t *paint;
    uintptr_t top;
    uint32_t i;
    long status = 0;
#if defined(__riscv)
    __asm__ volatile(".option push\n\t.option norelax\n\t"
                     "la gp, __global_pointer$\n\t.option pop");
#endif
    top = mcuh_sp() & ~(uintptr_t)3u;
    paint = (volatile uint32_t *)(top - 4u * MCUH_PAINT_WORDS);
    for (i = 0; i < MCUH_PAINT_WORDS; ++i)
        paint[i] = MCUH_PAINT;
    (void)mcuh_scratch;
    while (mcuh_read(mcuh_in, sizeof(mcuh_in)) == sizeof(mcuh_in)) {
        MCUH_PREDICT(mcuh_in, mcuh_logits, mcuh_scratch);
        if (mcuh_write(1, mcuh_logits, sizeof(mcuh_logits)) != 0) {
            status = 1;
            break;
        }
    }
    for (i = 0; i < MCUH_PAINT_WORDS && paint[i] == MCUH_PAINT; ++i)
        continue;
    mcuh_report_stack(4u * (MCUH_PAINT_WORDS - i));
    for (;;)
        (void)mcuh_syscall3(MCUH_SYS_EXIT, status, 0, 0);
}
