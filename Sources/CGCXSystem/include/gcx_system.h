#ifndef GCX_SYSTEM_H
#define GCX_SYSTEM_H

#include <stddef.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Hints to the CPU and the kernel that Swift cannot spell: neither changes what a program computes. */

/* Brings the cache line at p towards the CPU for a read soon (the prompt coder's next table buckets). */
static inline void gcx_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/* Asks for transparent huge pages over [p, p + length) where the kernel has them: large tables hit at
   random would otherwise cost a TLB miss per lookup. Returns 0, or -1 where unsupported. */
static inline int gcx_advise_huge_pages(void *p, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    return madvise(p, length, MADV_HUGEPAGE);
#else
    (void)p; (void)length;
    return -1;
#endif
}

/* Opens the shared library `soname` and resolves the `count` symbols `names` into `slots` (each the
   address of the function pointer that receives it). Returns 1; or 0 with `error` saying what is
   missing, after `purpose` ("HEIF and AVIF need libheif"). For libraries loaded on first use rather
   than at start-up. */
int gcx_open_library(const char *soname, const char *purpose, const char *const *names, void **const *slots,
                     size_t count, char *error, size_t error_size);

/* Signals as bytes on a pipe: from now on SIGINT and SIGTERM each write their number (one byte) to
   `write_fd` from an async-signal-safe handler, installed before this returns, so none is missed.
   Returns 0, or -1 with errno. `gcx_signal_pipe_remove` restores the default actions. */
int gcx_signal_pipe_install(int write_fd);
void gcx_signal_pipe_remove(void);

#endif
