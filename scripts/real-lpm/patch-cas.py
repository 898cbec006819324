#!/usr/bin/env python3
"""Make a copy of the guest vmlinux that does not ask for DRMEM_V2 at CAS time, so QEMU
writes the v1 `ibm,dynamic-memory` property and the kernel rewrites v1.

usage: patch-cas.py VMLINUX OUT

The byte patched is option vector 5 byte 22 of `ibm_architecture_vec_template`
(arch/powerpc/kernel/prom_init.c): 0xc0 = OV5_DRMEM_V2 (0x80) | OV5_DRC_INFO (0x40) -> 0x40.
The template is found through its symbol (nm) and the ELF section headers; the vector
walk is checked (5+ vectors, vec5 is 26 bytes with DRCONF_MEMORY set) before writing.
"""
import struct
import subprocess
import sys

PVRS = 14  # struct ibm_arch_vec.pvrs[14] in 5.x/6.x kernels


def file_offset(elf: bytes, addr: int) -> int:
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    for i in range(shnum):
        sh = shoff + i * shentsize
        stype, = struct.unpack_from("<I", elf, sh + 4)
        saddr, soff, ssize = struct.unpack_from("<QQQ", elf, sh + 0x10)
        if stype == 1 and saddr <= addr < saddr + ssize:  # SHT_PROGBITS
            return addr - saddr + soff
    raise SystemExit("address 0x%x is in no PROGBITS section" % addr)


def main() -> None:
    src, dst = sys.argv[1:3]
    nm = subprocess.run(["nm", src], capture_output=True, text=True, check=True).stdout
    addr = next(int(l.split()[0], 16) for l in nm.splitlines() if l.endswith(" ibm_architecture_vec_template"))
    elf = bytearray(open(src, "rb").read())
    if elf[:4] != b"\x7fELF" or elf[5] != 1:
        raise SystemExit("not a little-endian ELF")
    base = file_offset(elf, addr)
    i = base + 8 * PVRS
    nvec = elf[i] + 1
    if not 5 <= nvec <= 8:
        raise SystemExit("unexpected vector count %d: layout changed, patch by hand" % nvec)
    i += 1
    for n in range(1, 6):
        ln = elf[i] + 1
        if n == 5:
            vec5 = i + 1
            if ln != 26 or not elf[vec5 + 1] & 0x20:
                raise SystemExit("vec5 does not look like option_vector5 (len %d)" % ln)
            b22 = vec5 + 21
            if elf[b22] & 0x80 == 0:
                raise SystemExit("byte 22 is 0x%02x: DRMEM_V2 is not requested already" % elf[b22])
            print("vec5 byte22 at file offset 0x%x: 0x%02x -> 0x%02x" % (b22, elf[b22], elf[b22] & ~0x80))
            elf[b22] &= ~0x80
        i += 1 + ln
    open(dst, "wb").write(elf)


if __name__ == "__main__":
    main()
