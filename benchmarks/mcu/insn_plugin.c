/* QEMU TCG plugin: exact guest instruction counts per translated block.
 *
 * Build with the host compiler as a shared object:
 *     cc -shared -fPIC -O2 -o insn_plugin.so insn_plugin.c
 * and run:  qemu-arm -plugin ./insn_plugin.so,out=FILE prog
 * At exit FILE holds one line per translation: "vaddr n_insns executions"
 * (hexadecimal address, decimal counts). A block translated more than once
 * (after a flush) has several lines; the sum over the lines is exact.
 * Every executed block adds its instruction count once per execution (an
 * inline add, no helper call), so an instruction is counted when its block
 * runs; blocks end at every branch and system call, and the guest code here
 * raises no faults, so no block stops half-way.
 *
 * Debian's QEMU 7.2 ships no plugin header: the declarations below are the
 * few entry points of plugin API version 1 used here, as in QEMU 7.2's
 * include/qemu/qemu-plugin.h.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
#define QEMU_PLUGIN_VERSION 1

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
                                               struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
                                              enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                    qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Blocks live in fixed-size chunks so that the counters' addresses, baked into
   the translated code, never move. */
#define CHUNK 4096
struct block {
    uint64_t vaddr;
    uint64_t n_insns;
    uint64_t executions;
};
struct chunk {
    struct block blocks[CHUNK];
    size_t used;
    struct chunk *next;
};
static struct chunk *head;
static char *out_path;

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    struct block *b;
    (void)id;
    if (head == NULL || head->used == CHUNK) {
        struct chunk *c = calloc(1, sizeof(*c));
        if (c == NULL) {
            qemu_plugin_outs("insn_plugin: out of memory\n");
            abort();
        }
        c->next = head;
        head = c;
    }
    b = &head->blocks[head->used++];
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->n_insns = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &b->executions, 1);
}

static void on_atexit(qemu_plugin_id_t id, void *userdata)
{
    FILE *f;
    struct chunk *c;
    size_t i;
    (void)id;
    (void)userdata;
    f = fopen(out_path, "w");
    if (f == NULL) {
        qemu_plugin_outs("insn_plugin: cannot write the output file\n");
        return;
    }
    for (c = head; c != NULL; c = c->next)
        for (i = 0; i < c->used; ++i)
            fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", c->blocks[i].vaddr,
                    c->blocks[i].n_insns, c->blocks[i].executions);
    fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv)
{
    int i;
    (void)info;
    for (i = 0; i < argc; ++i)
        if (strncmp(argv[i], "out=", 4) == 0)
            out_path = argv[i] + 4;
    if (out_path == NULL) {
        qemu_plugin_outs("insn_plugin: missing argument out=FILE\n");
        return 1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
    return 0;
}
