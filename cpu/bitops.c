/* TODO(helper): instruction family bitops. */
#include "exec.h"

const opdef_t bitops_ops[] = {
    {0},
};
