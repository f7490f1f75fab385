#!/usr/bin/env python3
"""Copies a Bacula vtape image (spec bacula-volume-format.md section 8.10) onto the cartridge in a tape drive, record
by record, with its filemarks.

Usage: vtape-to-drive.py IMAGE NODE
  IMAGE  a vtape image: records are u32 length (little-endian) + that many bytes; a filemark is u32 0 + two i64
         offsets (20 bytes); the filemark at offset 0 is the image's header, not a tape file.
  NODE   the drive's no-rewind node (/dev/nstN), already set to variable block mode (`mt setblk 0`) and positioned.
Each record becomes one os.write() on the node; each filemark one MTWEOF (what `mt weof 1` does) on the same open
descriptor, so st adds no filemark of its own when the node closes after a mark. Prints one line per tape file:
"file N: R records, B bytes".
"""
import fcntl
import os
import struct
import sys

MARK = 20
MAX_RECORD = 20_000_000  # Bacula's block sanity limit
MTIOCTOP = 0x40086D01  # _IOW('m', 1, struct mtop), struct mtop = {short mt_op; int mt_count} (8 bytes)
MTWEOF = 5


def parse(image):
    """Yields ("record", bytes) and ("mark", None) in tape order."""
    with open(image, "rb") as f:
        data = f.read()
    pos = 0
    first = True
    while pos < len(data):
        if pos + 4 > len(data):
            raise SystemExit(f"{image}: truncated length at byte {pos}")
        (length,) = struct.unpack_from("<I", data, pos)
        if length == 0:
            if pos + MARK > len(data):
                raise SystemExit(f"{image}: truncated filemark at byte {pos}")
            if not first:
                yield "mark", None
            pos += MARK
        else:
            if length > MAX_RECORD or pos + 4 + length > len(data):
                raise SystemExit(f"{image}: bad record length {length} at byte {pos}")
            yield "record", data[pos + 4 : pos + 4 + length]
            pos += 4 + length
        first = False


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    image, node = sys.argv[1], sys.argv[2]
    file_no, records, size = 0, 0, 0
    fd = os.open(node, os.O_WRONLY)
    try:
        for kind, record in parse(image):
            if kind == "record":
                n = os.write(fd, record)
                if n != len(record):
                    raise SystemExit(f"{node}: short write {n} of {len(record)} bytes (file {file_no} record {records})")
                records += 1
                size += n
            else:
                fcntl.ioctl(fd, MTIOCTOP, struct.pack("hxxi", MTWEOF, 1))
                print(f"file {file_no}: {records} records, {size} bytes")
                file_no, records, size = file_no + 1, 0, 0
        if records:
            print(f"file {file_no}: {records} records, {size} bytes (st closes it with a filemark)")
    finally:
        os.close(fd)


if __name__ == "__main__":
    main()
