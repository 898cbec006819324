#!/usr/bin/env python3
"""Write the guest initramfs (gzip'd newc cpio) without needing cpio(1).

usage: mkinitramfs.py BUSYBOX INIT_SH OUT.cpio.gz

Contents: /init (the scenario driver), /bin/busybox, empty /proc /sys /dev /tmp, and
/dev/console (c 5 1): CONFIG_DEVTMPFS_MOUNT is off in the Debian kernel, so without
this node the kernel could not give /init a console.
"""
import gzip
import sys

ino = [300000]


def entry(name: str, mode: int, data: bytes = b"", rmaj: int = 0, rmin: int = 0) -> bytes:
    ino[0] += 1
    nb = name.encode() + b"\0"
    fields = [ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rmaj, rmin, len(nb), 0]
    hdr = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = hdr + nb
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main() -> None:
    busybox, init_sh, out = sys.argv[1:4]
    with open(busybox, "rb") as f:
        bb = f.read()
    with open(init_sh, "rb") as f:
        init = f.read()
    blob = b""
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        blob += entry(d, 0o040755)
    blob += entry("dev/console", 0o020600, rmaj=5, rmin=1)
    blob += entry("bin/busybox", 0o100755, bb)
    blob += entry("bin/sh", 0o120777, b"busybox")
    blob += entry("init", 0o100755, init)
    blob += entry("TRAILER!!!", 0)
    blob += b"\0" * (-len(blob) % 512)
    with open(out, "wb") as f:
        f.write(gzip.compress(blob, mtime=0))


if __name__ == "__main__":
    main()
