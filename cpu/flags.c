/* The parity table behind PF (see flags.h). */
#include "flags.h"

#define P2(n) n, n ^ 1, n ^ 1, n
#define P4(n) P2(n), P2(n ^ 1), P2(n ^ 1), P2(n)
#define P6(n) P4(n), P4(n ^ 1), P4(n ^ 1), P4(n)
/* Entry b is 1 when b has an even number of set bits. */
const uint8_t parity_even[256] = {P6(1), P6(0), P6(0), P6(1)};
