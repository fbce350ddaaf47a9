#!/usr/bin/env python3
"""Writes a frame of 64 little-endian 16-bit sensor samples around 1000 with three spikes."""
import struct
import sys
samples = [1000 + ((i * 37) % 23) - 11 for i in range(64)]
samples[5], samples[30], samples[51] = 9000, 12, 7000
open(sys.argv[1], "wb").write(struct.pack("<64H", *samples))
