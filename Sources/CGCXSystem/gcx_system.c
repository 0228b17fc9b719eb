/* The hints are inline in include/gcx_system.h; loading a library on first use and the signal pipe
   are here. */
#include "gcx_system.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int gcx_open_library(const char *soname, const char *purpose, const char *const *names, void **const *slots,
                     size_t count, char *error, size_t error_size) {
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(error, error_size, "%s: %s", purpose, dlerror());
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        *slots[i] = dlsym(library, names[i]);
        if (!*slots[i]) {
            snprintf(error, error_size, "%s: %s lacks %s", purpose, soname, names[i]);
            return 0;
        }
    }
    return 1;
}

static volatile sig_atomic_t gcx_signal_fd = -1;

static void gcx_signal_to_pipe(int number) {
    int saved = errno;
    unsigned char byte = (unsigned char)number;
    if (gcx_signal_fd >= 0) (void)!write(gcx_signal_fd, &byte, 1);
    errno = saved;
}

int gcx_signal_pipe_install(int write_fd) {
    gcx_signal_fd = write_fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = gcx_signal_to_pipe;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) return -1;
    return 0;
}

void gcx_signal_pipe_remove(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    gcx_signal_fd = -1;
}
