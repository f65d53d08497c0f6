/* TODO(helper): the x87 FPU. */
#include "exec.h"

void fpu_reset(fpu_t *fpu)
{
    memset(fpu, 0, sizeof *fpu);
    fpu->cw = 0x0040;
    fpu->tw = 0x5555;
}

const opdef_t fpu_ops[] = {
    {0},
};
