/* TODO(helper): instruction family string. */
#include "exec.h"

const opdef_t string_ops[] = {
    {0},
};
