/* TODO(helper): instruction family bcd. */
#include "exec.h"

const opdef_t bcd_ops[] = {
    {0},
};
