/* TODO(helper): instruction family muldiv. */
#include "exec.h"

const opdef_t muldiv_ops[] = {
    {0},
};
