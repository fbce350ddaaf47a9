#!/usr/bin/env python3
"""Writes the deterministic input memory shared by the test vectors (256 bytes, xorshift32)."""
import sys
x = 2463534242
out = bytearray()
for _ in range(256):
    x ^= (x << 13) & 0xffffffff
    x ^= x >> 17
    x ^= (x << 5) & 0xffffffff
    out.append(x & 0xff)
# a plausible IPv4 header at the start, for the struct parser
out[0:20] = bytes([0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 192, 168, 1, 2])
open(sys.argv[1], "wb").write(out)
