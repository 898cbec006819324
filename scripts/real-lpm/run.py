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


def parse_size(text: str) -> int:
    """'512M', '1G', '1536M' -> bytes"""
    units = {"M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1].upper()] if text[-1].upper() in units else int(text)


def size_name(n: int) -> str:
    return "%dG" % (n >> 30) if n % (1 << 30) == 0 else "%dM" % (n >> 20)


def parse_plan(text: str) -> list:
    """'lpm,add:dimm1:512M:0,del:dimm1' -> [('lpm',), ('add', 'dimm1', 512 MiB, 0), ('del', 'dimm1')]"""
    ops = []
    for part in text.split(","):
        f = part.strip().split(":")
        if f[0] == "lpm" and len(f) == 1:
            ops.append(("lpm",))
        elif f[0] == "lpm" and len(f) == 2 and f[1].startswith("drop"):
            ops.append(("lpm", int(f[1][len("drop"):])))
        elif f[0] == "add" and len(f) == 4:
            ops.append(("add", f[1], parse_size(f[2]), int(f[3])))
        elif f[0] == "del" and len(f) == 2:
            ops.append(("del", f[1]))
        else:
            raise SystemExit("bad plan step %r (lpm | lpm:dropN | add:ID:SIZE:NODE | del:ID)" % part)
    return ops


def qemu_cmdline(machine: str, guest: str, rundir: str, kernel: str, mem: int = 2 << 30, maxmem: int = 8 << 30,
                 slots: int = 4, nodes: int = 2, dimm0=(1 << 30, 1), append: str = "") -> list:
    per_node = mem // max(nodes, 1)
    numa = []  # nodes == 0: no -numa at all (QEMU's single implicit node)
    for i in range(nodes):
        numa += ["-object", "memory-backend-ram,id=m%d,size=%s" % (i, size_name(per_node))]
    for i in range(nodes):
        # -smp 2: CPUs on the first two nodes, the others are memory-only
        numa += ["-numa", "node,nodeid=%d,memdev=m%d%s" % (i, i, ",cpus=%d" % i if i < 2 else "")]
    cold = []
    if dimm0 is not None:
        cold = ["-object", "memory-backend-ram,id=mem-dimm0,size=%s" % size_name(dimm0[0]),
                "-device", "pc-dimm,id=dimm0,memdev=mem-dimm0" + (",node=%d" % dimm0[1] if nodes else "")]
    return [
        "qemu-system-ppc64", "-M", machine, "-cpu", "power9", "-accel", "tcg,thread=multi",
        "-vga", "none", "-display", "none",
        "-m", "%s,slots=%d,maxmem=%s" % (size_name(mem), slots, size_name(maxmem)), "-smp", "2",
        *numa, *cold,
        "-kernel", os.path.join(guest, kernel), "-initrd", os.path.join(rundir, "init.cpio.gz"),
        "-append", "console=hvc0 loglevel=6" + (" " + append if append else ""),
        "-chardev", "socket,id=con0,path=%s/console.sock,server=on,wait=on" % rundir,
        "-serial", "chardev:con0",
        "-qmp", "unix:%s/qmp.sock,server=on,wait=off" % rundir,
    ]


DEFAULT_PLAN = "lpm,add:dimm1:512M:0,del:dimm1"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", default="pseries-7.2")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", default=os.path.join(HERE, "..", "..", "build", "real-lpm"))
    ap.add_argument("--add-node", type=int, default=0, help="node of dimm1 in the default plan")
    ap.add_argument("--method", choices=("update", "remove-add"), default="update",
                    help="how the LPM's dynamic-memory reaches the tree: update_property (as LPM does) or "
                         "remove_property + add_property (bypasses drmem_update_lmbs: stale aa_index)")
    ap.add_argument("--del-dimm0", action="store_true",
                    help="last step: hot-remove the boot DIMM too (adds movable_node to the kernel command "
                         "line, without which the kernel cannot offline it; v2 only: QEMU's v1 has no HOTREMOVABLE)")
    ap.add_argument("--v1", action="store_true",
                    help="boot a copy of the kernel patched not to request DRMEM_V2 (QEMU then writes v1)")
    ap.add_argument("--plan", default=None,
                    help="steps after 00-boot, comma-separated: lpm | lpm:dropN (the new arrays lack node N) | "
                         "add:ID:SIZE:NODE | del:ID "
                         "(default %s; lpm may appear 0..n times: no lpm = a plain DLPAR history)" % DEFAULT_PLAN)
    ap.add_argument("--mem", default="2G", help="boot RAM (split evenly over the NUMA nodes)")
    ap.add_argument("--maxmem", default="8G")
    ap.add_argument("--slots", type=int, default=4)
    ap.add_argument("--nodes", type=int, default=2, help="NUMA nodes (CPUs on nodes 0 and 1; 0: no -numa)")
    ap.add_argument("--dimm0", default="1G:1", help="cold-plugged DIMM SIZE:NODE, or none")
    ap.add_argument("--kernel-args", default="", help="extra guest kernel command line")
    args = ap.parse_args()
    plan_text = args.plan or DEFAULT_PLAN.replace("add:dimm1:512M:0", "add:dimm1:512M:%d" % args.add_node)
    if args.del_dimm0:
        plan_text += ",del:dimm0"
    ops = parse_plan(plan_text)
    kargs = args.kernel_args
    if any(op == ("del", "dimm0") for op in ops) and "movable_node" not in kargs:
        kargs = (kargs + " movable_node").strip()
    dimm0 = None if args.dimm0 == "none" else (parse_size(args.dimm0.split(":")[0]), int(args.dimm0.split(":")[1]))
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
    cmd = qemu_cmdline(args.machine, guest, rundir, kernel, parse_size(args.mem), parse_size(args.maxmem),
                       args.slots, args.nodes, dimm0, kargs)
    with open(os.path.join(out, "qemu-cmdline.txt"), "w") as f:
        f.write(" ".join(cmd).replace(rundir, "$RUNDIR").replace(guest, "guest") + "\n")
    timings: dict = {}
    t0 = time.time()
    qerr = open(os.path.join(out, "qemu-stderr.txt"), "w")
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qerr, stderr=subprocess.STDOUT)
    steps: list = []
    plans: list = []
    try:
        while not os.path.exists(os.path.join(rundir, "console.sock")):
            time.sleep(0.1)
        con = Console(os.path.join(rundir, "console.sock"), os.path.join(out, "console.txt"))
        qmp = Qmp(os.path.join(rundir, "qmp.sock"))
        con.expect("GUEST-READY", timeout=600)
        timings["boot_to_init_s"] = round(time.time() - t0, 1)

        def snap(name: str, op: tuple) -> dict:
            t = time.time()
            data = con.snapshot(name)
            timings["snap %s_s" % name] = round(time.time() - t, 1)
            with open(os.path.join(out, name + ".tar.gz"), "wb") as f:
                f.write(data)
            info = "info memory-devices\n" + qmp.hmp("info memory-devices") + "\ninfo numa\n" + qmp.hmp("info numa")
            with open(os.path.join(out, name + ".qemu-info.txt"), "w") as f:
                f.write(info.replace("\r", ""))
            step = {"name": name, "op": op, "snap": report.load_snapshot(data, name),
                    "memdevs": qmp.execute("query-memory-devices")}
            steps.append(step)
            return step

        def wait_change(label: str) -> None:
            t = time.time()
            lines = con.command("waitchange 60", timeout=400)
            timings["wait %s" % label] = [round(time.time() - t, 1), [l for l in lines if l.startswith("WAIT")]]
            if not any("changed=yes" in l for l in lines):
                raise RuntimeError("%s: the guest never rewrote the drconf property (dmesg: see the last snapshot)" % label)

        boot = snap("00-boot", ("boot",))
        n_lpm = 0
        for i, op in enumerate(ops, start=1):
            if op[0] == "lpm":
                n_lpm += 1
                plan = inject.plan_lpm(steps[-1]["snap"], op[1] if len(op) > 1 else None)
                plans.append(plan)
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
                timings["ofdt %d" % n_lpm if n_lpm > 1 else "ofdt"] = [l for l in lines if l.startswith("OFDT")]
                name = "%02d-after-lpm%s" % (i, n_lpm if n_lpm > 1 else "")
                snap(name, ("lpm", len(plans) - 1))
            elif op[0] == "add":
                _, dimm, size, node = op
                con.command("mark")
                qmp.execute("object-add", **{"qom-type": "memory-backend-ram", "id": "mem-" + dimm, "size": size})
                qmp.execute("device_add", driver="pc-dimm", id=dimm, memdev="mem-" + dimm, node=node)
                wait_change("after device_add " + dimm)
                st = snap("%02d-after-add-%s-%s-node%d" % (i, dimm, size_name(size), node), op)
                st["drcs"] = report.dimm_drcs(st, dimm)
            else:
                _, dimm = op
                drcs = report.dimm_drcs(steps[-1], dimm)
                con.command("mark")
                qmp.execute("device_del", id=dimm)
                try:
                    wait_change("after device_del " + dimm)
                except RuntimeError:
                    snap("%02d-FAILED-del-%s" % (i, dimm), op)
                    raise
                try:
                    qmp.wait_event("DEVICE_DELETED", timeout=60)
                except TimeoutError:
                    timings["device_del " + dimm] = "no DEVICE_DELETED event within 60 s"
                st = snap("%02d-after-del-%s" % (i, dimm), op)
                st["drcs"] = drcs

        con.send("poweroff")
        qemu.wait(timeout=60)
        timings["total_s"] = round(time.time() - t0, 1)
        with open(os.path.join(out, "qmp-log.json"), "w") as f:
            json.dump(qmp.transcript, f, indent=1)
        with open(os.path.join(out, "timings.json"), "w") as f:
            json.dump(timings, f, indent=1)
        if plans:
            with open(os.path.join(out, "injected.json"), "w") as f:
                json.dump(plans[0]["describe"] if len(plans) == 1 else [p["describe"] for p in plans], f, indent=1)
        ver = subprocess.run(["qemu-system-ppc64", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        with open(os.path.join(guest, "packages.txt")) as f:
            pkgs = [l.strip() for l in f if l.strip()]
        uname = boot["snap"]["files"]["uname.txt"].decode().strip()
        prov = {"qemu": ver, "packages": pkgs, "uname": uname, "method": args.method, "plan": plan_text,
                "kernel_args": kargs, "v1": args.v1}
        default = plan_text == DEFAULT_PLAN.replace(":0,", ":%d," % args.add_node) and args.mem == "2G" \
            and args.maxmem == "8G" and args.nodes == 2 and args.dimm0 == "1G:1" and not kargs
        report.write_all(out, steps, plans, args.machine)
        if default:
            report.write_readme(out, steps, plans[0], args.machine, prov)
        else:
            report.write_readme_generic(out, steps, plans, args.machine, prov)
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        shutil.rmtree(rundir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
