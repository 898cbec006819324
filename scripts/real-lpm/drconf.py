"""Decode/encode the drconf LMB properties (independent of drscope's TypeScript code,
so the captured ground truth is not checked with the code under test).

Layouts (all big-endian cells):
  ibm,dynamic-memory      N, then N x {u64 base, u32 drc, u32 reserved, u32 aa, u32 flags}
  ibm,dynamic-memory-v2   S, then S x {u32 seq, u64 base, u32 drc, u32 aa, u32 flags}
  ibm,associativity-lookup-arrays  A, E, then A*E cells
"""
import struct
from dataclasses import dataclass

FLAG_NAMES = [(0x8, "ASSIGNED"), (0x20, "DRC_INVALID"), (0x40, "AI_INVALID"),
              (0x80, "RESERVED"), (0x100, "HOTREMOVABLE")]


def flag_str(flags: int) -> str:
    names = [n for b, n in FLAG_NAMES if flags & b]
    rest = flags & ~sum(b for b, _ in FLAG_NAMES)
    if rest:
        names.append(hex(rest))
    return "|".join(names) or "0"


@dataclass
class Lmb:
    base: int
    drc: int
    aa: int
    flags: int
    reserved: int = 0


def decode_v1(b: bytes) -> list:
    (n,) = struct.unpack_from(">I", b, 0)
    out = []
    for i in range(n):
        base, drc, res, aa, flags = struct.unpack_from(">QIIII", b, 4 + 24 * i)
        out.append(Lmb(base, drc, aa, flags, res))
    return out


def decode_v2_sets(b: bytes) -> list:
    (n,) = struct.unpack_from(">I", b, 0)
    return [struct.unpack_from(">IQIII", b, 4 + 24 * i) for i in range(n)]


def decode_v2(b: bytes, lmb_size: int) -> list:
    out = []
    for seq, base, drc, aa, flags in decode_v2_sets(b):
        for j in range(seq):
            out.append(Lmb(base + j * lmb_size, drc + j, aa, flags))
    return out


def encode_v1(lmbs: list) -> bytes:
    b = struct.pack(">I", len(lmbs))
    for l in lmbs:
        b += struct.pack(">QIIII", l.base, l.drc, l.reserved, l.aa, l.flags)
    return b


def encode_v2(lmbs: list, lmb_size: int, split_at: tuple = ()) -> bytes:
    """Run-length encode like a hypervisor would: a new set whenever aa/flags change,
    base/drc are not contiguous, or the LMB's drc is in split_at (QEMU-style per-region
    sets, which the kernel's canonical encoding would merge)."""
    sets = []
    for l in lmbs:
        if sets:
            s = sets[-1]
            if (s[3] == l.aa and s[4] == l.flags and l.drc not in split_at
                    and s[1] + s[0] * lmb_size == l.base and s[2] + s[0] == l.drc):
                s[0] += 1
                continue
        sets.append([1, l.base, l.drc, l.aa, l.flags])
    b = struct.pack(">I", len(sets))
    for s in sets:
        b += struct.pack(">IQIII", *s)
    return b


def decode_arrays(b: bytes) -> list:
    a, e = struct.unpack_from(">II", b, 0)
    return [list(struct.unpack_from(">%dI" % e, b, 8 + 4 * e * i)) for i in range(a)]


def encode_arrays(arrays: list) -> bytes:
    e = len(arrays[0]) if arrays else 0
    b = struct.pack(">II", len(arrays), e)
    for arr in arrays:
        b += struct.pack(">%dI" % e, *arr)
    return b


def u32(b: bytes) -> int:
    return struct.unpack(">I", b[:4])[0]


def u64(b: bytes) -> int:
    return struct.unpack(">Q", b[:8])[0]
