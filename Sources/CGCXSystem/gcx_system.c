/* Everything is inline in include/gcx_system.h; a C target needs one source file. */
#include "gcx_system.h"
