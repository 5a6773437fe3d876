#!/usr/bin/python3
"""Writes the seed corpus of fuzz-vdi: tiny VDI images (small blocks keep
them a few KiB) covering each layout and block map case the reader knows.

    /usr/bin/python3 tests/storage/make-corpus-vdi.py tests/storage/corpus-vdi
"""
import os
import struct
import sys

FREE, ZERO = 0xFFFFFFFF, 0xFFFFFFFE


def image(blocks_map, block_size=512, disk_size=None, image_type=1,
          off_blocks=512, header_size=400, version=0x00010001, link=b"",
          data_blocks=0):
    n = len(blocks_map)
    disk_size = disk_size if disk_size is not None else n * block_size
    map_bytes = struct.pack("<%dI" % n, *blocks_map)
    off_data = off_blocks + ((len(map_bytes) + 511) // 512) * 512
    allocated = sum(1 for e in blocks_map if e < ZERO)
    h = bytearray(512)
    text = b"<<< Oracle VM VirtualBox Disk Image >>>\n"
    h[0:len(text)] = text
    struct.pack_into("<II", h, 64, 0xBEDA107F, version)
    struct.pack_into("<III", h, 72, header_size, image_type, 0)
    struct.pack_into("<II", h, 340, off_blocks, off_data)
    struct.pack_into("<IIII", h, 348, 0, 0, 0, 512)
    struct.pack_into("<QIIII", h, 368, disk_size, block_size, 0, n, allocated)
    h[392:408] = bytes(range(1, 17))
    h[408:424] = bytes(range(17, 33))
    if link:
        h[424:440] = link
        h[440:456] = bytes(range(49, 65))
    struct.pack_into("<IIII", h, 456, 0, 0, 0, 512)
    out = bytearray(off_data + data_blocks * block_size)
    out[0:512] = h
    out[off_blocks:off_blocks + len(map_bytes)] = map_bytes
    for i in range(data_blocks):
        start = off_data + i * block_size
        out[start:start + block_size] = bytes([0x41 + i]) * block_size
    return bytes(out)


SEEDS = {
    "empty-dynamic.vdi": image([FREE] * 8),
    "dynamic-out-of-order.vdi": image([2, FREE, 0, ZERO, 1, FREE], data_blocks=3),
    "fixed.vdi": image([0, 1, 2, 3], image_type=2, data_blocks=4),
    "differencing.vdi": image([FREE, 0, FREE, ZERO], image_type=4,
                              link=bytes(range(33, 49)), data_blocks=1),
    "v1.0-header-384.vdi": image([0, FREE], header_size=384,
                                 version=0x00010000, data_blocks=1),
    "partial-last-block.vdi": image([FREE, 0, FREE], block_size=1024,
                                    disk_size=2560, data_blocks=1),
    "map-at-1024.vdi": image([1, 0], off_blocks=1024, data_blocks=2),
    "qemu-dynamic-1mib.vdi": image([FREE] * 5, block_size=1 << 20),
}


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "corpus-vdi"
    os.makedirs(folder, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
