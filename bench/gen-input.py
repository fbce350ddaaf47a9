#!/usr/bin/env python3
"""The benchmark input, generated in one place: 512 bytes from a fixed xorshift64* stream."""
import sys
x = 0x9E3779B97F4A7C15
out = bytearray()
while len(out) < 512:
    x ^= (x >> 12)
    x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
    x ^= (x >> 27)
    out += ((x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
open(sys.argv[1], "wb").write(bytes(out[:512]))
