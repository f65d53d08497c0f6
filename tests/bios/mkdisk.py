#!/usr/bin/env python3
"""Makes a sparse raw disk image for the BIOS disk tests.

usage: mkdisk.py IMAGE SIZE BLOCK_SIZE LBA [LBA ...]

The image is SIZE bytes of zeros, except the listed blocks, which hold the
test pattern the guest tests recompute: the block's LBA as a little-endian
dword, then byte j (j >= 4) = (7 * LBA + 13 * j) mod 256."""
import sys


def block(lba, size):
    data = bytearray((7 * lba + 13 * j) & 0xFF for j in range(size))
    data[0:4] = (lba & 0xFFFFFFFF).to_bytes(4, "little")
    return bytes(data)


def main():
    path, size, block_size = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
    with open(path, "wb") as f:
        f.truncate(size)
        for arg in sys.argv[4:]:
            lba = int(arg, 0)
            f.seek(lba * block_size)
            f.write(block(lba, block_size))


main()
