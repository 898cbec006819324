#!/usr/bin/env python3
"""Capture an emulated LPM followed by memory DLPAR on QEMU sPAPR + a stock Debian kernel.

usage: run.py --machine pseries-7.2 --out samples/real-lpm-form2 [--cache build/real-lpm]

Steps (one snapshot each, taken by the guest itself, see init.sh):
  00-boot                       boot with a 1 GiB pc-dimm (dimm0) on node 1 present from the start
  01-after-lpm                  "hypervisor" update of ibm,associativity-lookup-arrays and
                                ibm,dynamic-memory(-v2) through /proc/powerpc/ofdt update_property,
                                the same of_update_property() path an LPM's ibm,update-properties uses
  02-after-add-dimm1-512M-node0 QMP object-add + device_add pc-dimm: the kernel's DLPAR add ends in
                                drmem_update_dt(), which rewrites the whole property from drmem_info
  03-after-del-dimm1            QMP device_del: DLPAR remove, another rewrite
The guest kernel does every property write after 00 except the ofdt injection at 01.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep scripts/real-lpm free of __pycache__
sys.path.insert(0, HERE)
from guestio import Console, Qmp  # noqa: E402
import inject  # noqa: E402
import report  # noqa: E402


def qemu_cmdline(machine: str, guest: str, rundir: str, kernel: str) -> list:
    return [
        "qemu-system-ppc64", "-M", machine, "-cpu", "power9", "-accel", "tcg,thread=multi",
        "-vga", "none", "-display", "none",
        "-m", "2G,slots=4,maxmem=8G", "-smp", "2",
        "-object", "memory-backend-ram,id=m0,size=1G", "-object", "memory-backend-ram,id=m1,size=1G",
        "-numa", "node,nodeid=0,memdev=m0,cpus=0", "-numa", "node,nodeid=1,memdev=m1,cpus=1",
        "-object", "memory-backend-ram,id=mem-dimm0,size=1G",
        "-device", "pc-dimm,id=dimm0,memdev=mem-dimm0,node=1",
        "-kernel", os.path.join(guest, kernel), "-initrd", os.path.join(rundir, "init.cpio.gz"),
        "-append", "console=hvc0 loglevel=6",
        "-chardev", "socket,id=con0,path=%s/console.sock,server=on,wait=on" % rundir,
        "-serial", "chardev:con0",
        "-qmp", "unix:%s/qmp.sock,server=on,wait=off" % rundir,
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", default="pseries-7.2")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", default=os.path.join(HERE, "..", "..", "build", "real-lpm"))
    ap.add_argument("--add-node", type=int, default=0)
    ap.add_argument("--method", choices=("update", "remove-add"), default="update",
                    help="how the LPM's dynamic-memory reaches the tree: update_property (as LPM does) or "
                         "remove_property + add_property (bypasses drmem_update_lmbs: stale aa_index)")
    ap.add_argument("--del-dimm0", action="store_true", help="step 04: hot-remove the boot DIMM too")
    ap.add_argument("--v1", action="store_true",
                    help="boot a copy of the kernel patched not to request DRMEM_V2 (QEMU then writes v1)")
    args = ap.parse_args()
    guest = os.path.join(os.path.abspath(args.cache), "guest")
    if not os.path.exists(os.path.join(guest, "vmlinux")):
        print("run fetch-guest.sh first (no %s/vmlinux)" % guest, file=sys.stderr)
        return 2
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    rundir = tempfile.mkdtemp(prefix="real-lpm-")
    subprocess.run([sys.executable, os.path.join(HERE, "mkinitramfs.py"), os.path.join(guest, "busybox"),
                    os.path.join(HERE, "init.sh"), os.path.join(rundir, "init.cpio.gz")], check=True)
    kernel = "vmlinux"
    if args.v1:
        kernel = "vmlinux-no-drmem-v2"
        if not os.path.exists(os.path.join(guest, kernel)):
            subprocess.run([sys.executable, os.path.join(HERE, "patch-cas.py"), os.path.join(guest, "vmlinux"),
                            os.path.join(guest, kernel)], check=True)
    cmd = qemu_cmdline(args.machine, guest, rundir, kernel)
    with open(os.path.join(out, "qemu-cmdline.txt"), "w") as f:
        f.write(" ".join(cmd).replace(rundir, "$RUNDIR").replace(guest, "guest") + "\n")
    timings: dict = {}
    t0 = time.time()
    qerr = open(os.path.join(out, "qemu-stderr.txt"), "w")
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qerr, stderr=subprocess.STDOUT)
    steps: list = []
    try:
        while not os.path.exists(os.path.join(rundir, "console.sock")):
            time.sleep(0.1)
        con = Console(os.path.join(rundir, "console.sock"), os.path.join(out, "console.txt"))
        qmp = Qmp(os.path.join(rundir, "qmp.sock"))
        con.expect("GUEST-READY", timeout=600)
        timings["boot_to_init_s"] = round(time.time() - t0, 1)

        def snap(name: str) -> dict:
            t = time.time()
            data = con.snapshot(name)
            timings["snap %s_s" % name] = round(time.time() - t, 1)
            with open(os.path.join(out, name + ".tar.gz"), "wb") as f:
                f.write(data)
            info = "info memory-devices\n" + qmp.hmp("info memory-devices") + "\ninfo numa\n" + qmp.hmp("info numa")
            with open(os.path.join(out, name + ".qemu-info.txt"), "w") as f:
                f.write(info.replace("\r", ""))
            step = {"name": name, "snap": report.load_snapshot(data, name),
                    "memdevs": qmp.execute("query-memory-devices")}
            steps.append(step)
            return step

        def wait_change(label: str) -> None:
            t = time.time()
            lines = con.command("waitchange 120", timeout=200)
            timings["wait %s" % label] = [round(time.time() - t, 1), [l for l in lines if l.startswith("WAIT")]]
            if not any("changed=yes" in l for l in lines):
                raise RuntimeError("%s: the guest never rewrote the drconf property" % label)

        boot = snap("00-boot")
        plan = inject.plan_lpm(boot["snap"])
        con.put("arrays.bin", plan["arrays_bytes"])
        con.put("dm.bin", plan["dm_bytes"])
        # An LPM's ibm,update-properties delivers both properties of the node; the
        # kernel applies them one by one with of_update_property(), as ofdt does.
        lines = con.command("ofdt update %s ibm,associativity-lookup-arrays arrays.bin" % plan["phandle"])
        if args.method == "update":
            lines += con.command("ofdt update %s %s dm.bin" % (plan["phandle"], plan["prop"]))
        else:
            # remove + add: the reconfig notifier only acts on UPDATE_PROPERTY, so
            # drmem_update_lmbs() never sees the new aa_index values: the kernel behaves
            # like 5.9-5.14 (no LPM refresh of drmem_info at all).
            lines += con.command("ofdt remove %s %s" % (plan["phandle"], plan["prop"]))
            lines += con.command("ofdt add %s %s dm.bin" % (plan["phandle"], plan["prop"]))
        timings["ofdt"] = [l for l in lines if l.startswith("OFDT")]
        snap("01-after-lpm")

        con.command("mark")
        qmp.execute("object-add", **{"qom-type": "memory-backend-ram", "id": "mem-dimm1", "size": 512 << 20})
        qmp.execute("device_add", driver="pc-dimm", id="dimm1", memdev="mem-dimm1", node=args.add_node)
        wait_change("after device_add dimm1")
        snap("02-after-add-dimm1-512M-node%d" % args.add_node)

        con.command("mark")
        qmp.execute("device_del", id="dimm1")
        wait_change("after device_del dimm1")
        try:
            qmp.wait_event("DEVICE_DELETED", timeout=60)
        except TimeoutError:
            timings["device_del"] = "no DEVICE_DELETED event within 60 s"
        snap("03-after-del-dimm1")

        if args.del_dimm0:
            # the boot DIMM: its LMBs carry the LPM's aa_index (and, for 0x8000000b, flags the
            # kernel already overwrote); removal clears ASSIGNED only (0x108 -> 0x100)
            con.command("mark")
            qmp.execute("device_del", id="dimm0")
            wait_change("after device_del dimm0")
            try:
                qmp.wait_event("DEVICE_DELETED", timeout=60)
            except TimeoutError:
                timings["device_del dimm0"] = "no DEVICE_DELETED event within 60 s"
            snap("04-after-del-dimm0")

        con.send("poweroff")
        qemu.wait(timeout=60)
        timings["total_s"] = round(time.time() - t0, 1)
        with open(os.path.join(out, "qmp-log.json"), "w") as f:
            json.dump(qmp.transcript, f, indent=1)
        with open(os.path.join(out, "timings.json"), "w") as f:
            json.dump(timings, f, indent=1)
        with open(os.path.join(out, "injected.json"), "w") as f:
            json.dump(plan["describe"], f, indent=1)
        report.write_all(out, steps, plan, args.machine)
        ver = subprocess.run(["qemu-system-ppc64", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        with open(os.path.join(guest, "packages.txt")) as f:
            pkgs = [l.strip() for l in f if l.strip()]
        uname = boot["snap"]["files"]["uname.txt"].decode().strip()
        report.write_readme(out, steps, plan, args.machine,
                            {"qemu": ver, "packages": pkgs, "uname": uname, "method": args.method})
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        shutil.rmtree(rundir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
