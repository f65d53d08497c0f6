/* TODO(helper): instruction family shift. */
#include "exec.h"

const opdef_t shift_ops[] = {
    {0},
};
