#!/usr/bin/python3
"""fix-rom.py IN OUT: pad an option ROM to whole 512-byte blocks, write
its size byte (offset 2) and make the byte sum 0 (the last byte)."""
import sys

data = bytearray(open(sys.argv[1], 'rb').read())
if data[:2] != b'\x55\xaa':
    sys.exit(f'{sys.argv[1]}: not an option ROM (no 55 AA)')
size = (len(data) + 1 + 511) // 512 * 512
data += bytes(size - len(data))
data[2] = size // 512
data[-1] = (-sum(data[:-1])) & 0xff
open(sys.argv[2], 'wb').write(bytes(data))
