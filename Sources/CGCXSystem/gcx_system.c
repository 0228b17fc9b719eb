/* The hints are inline in include/gcx_system.h; loading a library on first use is here. */
#include "gcx_system.h"

#include <dlfcn.h>
#include <stdio.h>

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
