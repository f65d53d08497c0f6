#!/usr/bin/env python3
"""Sets the last byte of an option ROM image so that all its bytes sum to
zero modulo 256, as a PC BIOS checks before calling an option ROM."""
import sys

path = sys.argv[1]
with open(path, "r+b") as f:
    image = bytearray(f.read())
    if len(image) == 0 or len(image) % 512 or image[:2] != b"\x55\xaa":
        sys.exit(f"{path}: not an option ROM image (55AA header, 512-byte multiple)")
    image[-1] = (-sum(image[:-1])) & 0xFF
    f.seek(0)
    f.write(image)
