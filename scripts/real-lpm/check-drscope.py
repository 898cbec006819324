#!/usr/bin/env python3
"""Check drscope against a real-lpm history, using the harness's own decoder (not drscope's).

usage: check-drscope.py [--drscope 'node bin/drscope.js'] HISTORY_DIR...

Per capture (`drscope lmbs --json`): exit 0, same LMBs (address, DRC index, aa index, flags) as
the Python decode, the DT node from the lookup arrays, memory blocks and their nodes equal to
the capture's sysfs (memory-block-nodes.txt), no free LMB with a block, every assigned LMB with
one, and the same as NN-name.lmbs.txt.
Per consecutive pair (`drscope diff --json`): exit 1 (0 when identical), and exactly the
per-LMB changes the Python decode sees (assignment, aa index, DT node, each flag bit, v1
reserved cell, sysfs block appearing/disappearing, sysfs node).
Audit (`drscope audit --json`): all steps; with the boot-time FDTs and with --no-boot; the
LPM capture with each later one; every single capture; every pair of captures.
kernel-overwrite must name exactly ground-truth.json's expected_kernel_overwrite LMBs at
their step (all steps: at error severity for aa index/flags), hypervisor-update at every LPM
step and no hypervisor-update / update-dlpar-same-interval elsewhere, never anything in a history
without an LPM, never at error severity in a subset that lacks the LPM capture, and the
exit code must follow --fail-on. Prints one line per problem and a summary; exit 1 on any.
"""
import argparse
import itertools
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import report  # noqa: E402

FLAGS = {"ASSIGNED": 0x8, "DRC_INVALID": 0x20, "AI_INVALID": 0x40, "RESERVED": 0x80, "HOTREMOVABLE": 0x100}
NONE_AA = 0xFFFFFFFF

problems: list = []
counts: dict = {}


def bad(where: str, text: str) -> None:
    problems.append("%s: %s" % (where, text))


def count(k: str, n: int = 1) -> None:
    counts[k] = counts.get(k, 0) + n


def run(cmd: list) -> tuple:
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def dt_node(snap: dict, aa: int, flags: int):
    if aa == NONE_AA or flags & 0x40:
        return None
    return report.dt_node(snap, aa)


def blocks_of(snap: dict, base: int, size: int) -> dict:
    bs = snap["block_size"]
    return {b: snap["blocks"][b] for b in range(base // bs, (base + size) // bs) if b in snap["blocks"]}


def parse_lmbs_txt(path: str) -> dict:
    out = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        f = line.split()
        out[int(f[1], 16)] = {"drc": int(f[0], 16), "aa": int(f[2], 16), "flags": int(f[3], 16),
                              "node": None if f[5] == "-" else int(f[5]),
                              "block": None if f[6] == "-" else int(f[6][len("memory"):]),
                              "sysnode": None if f[7] == "-" else [int(x) for x in f[7].split(",")]}
    return out


def check_lmbs(ds: list, path: str, snap: dict, txt: str) -> None:
    where = os.path.basename(path)
    rc, out, err = run(ds + ["lmbs", "--json", path])
    if rc != 0:
        return bad(where, "lmbs --json exit %d: %s" % (rc, err.strip()[:200]))
    j = json.loads(out)
    if j.get("schemaVersion") != 1:
        bad(where, "lmbs schemaVersion %r" % j.get("schemaVersion"))
    got = {int(l["address"], 16): l for l in j["lmbs"]}
    want = {l.base: l for l in snap["lmbs"]}
    if len(j["lmbs"]) != len(snap["lmbs"]) or set(got) != set(want):
        bad(where, "LMB count/addresses differ: drscope %d, python %d" % (len(j["lmbs"]), len(snap["lmbs"])))
    ref = parse_lmbs_txt(txt) if os.path.exists(txt) else {}
    if int(j["lmbSize"], 16) != snap["lmb_size"]:
        bad(where, "lmbSize %s" % j["lmbSize"])
    for base, l in sorted(want.items()):
        g = got.get(base)
        if g is None:
            continue
        count("lmbs compared")
        tag = "%s LMB @0x%x" % (where, base)
        if int(g["drcIndex"], 16) != l.drc or g["aaIndex"] != l.aa or g["flags"] != l.flags:
            bad(tag, "drc/aa/flags %s/%s/%s vs python 0x%x/0x%x/0x%x" % (g["drcIndex"], g["aaIndex"], g["flags"], l.drc, l.aa, l.flags))
        node = dt_node(snap, l.aa, l.flags)
        if g["node"] != node:
            bad(tag, "node %r vs lookup arrays %r" % (g["node"], node))
        sysb = blocks_of(snap, base, snap["lmb_size"])
        gb = {b["index"]: b.get("node") for b in g.get("blocks") or []}
        wb = {b: (n[0] if len(n) == 1 else None) for b, n in sysb.items()}
        if gb != wb:
            bad(tag, "blocks %r vs sysfs %r" % (gb, wb))
        assigned = bool(l.flags & 0x8) and not l.flags & 0x80
        if g["assigned"] != assigned:
            bad(tag, "assigned %r" % g["assigned"])
        if assigned:
            count("assigned LMBs")
            if not sysb:
                bad(tag, "assigned LMB without a sysfs block")
            elif node is not None and any(n != [node] for n in sysb.values()):
                count("assigned LMBs whose DT node differs from sysfs (after an LPM)")
        elif not l.flags & 0x80:
            count("free LMBs")
            if sysb or gb:
                bad(tag, "free LMB with a block: sysfs %r, drscope %r" % (sysb, gb))
        r = ref.get(base)
        if ref and (r is None or r["drc"] != l.drc or r["aa"] != l.aa or r["flags"] != l.flags or r["node"] != node
                    or (r["block"] is not None) != bool(gb)):
            bad(tag, "differs from %s: %r" % (os.path.basename(txt), r))
    rc, out, err = run(ds + ["lmbs", "--summary", "--json", path])
    if rc != 0:
        bad(where, "lmbs --summary --json exit %d" % rc)
    else:
        json.loads(out)


def check_boot(ds: list, path: str, boot: dict) -> None:
    """`lmbs --boot` reads the capture's boot FDT: the LMBs of the first (boot) capture's tree"""
    where = "lmbs --boot %s" % os.path.basename(path)
    rc, out, err = run(ds + ["lmbs", "--boot", "--json", path])
    if rc != 0:
        return bad(where, "exit %d: %s" % (rc, err.strip()[:200]))
    got = {int(l["address"], 16): (int(l["drcIndex"], 16), l["aaIndex"], l["flags"], l["node"]) for l in json.loads(out)["lmbs"]}
    want = {l.base: (l.drc, l.aa, l.flags, dt_node(boot, l.aa, l.flags)) for l in boot["lmbs"]}
    count("boot-FDT LMB tables checked")
    if got != want:
        bad(where, "differs from the boot capture's tree at %s" % sorted(b for b in set(got) | set(want) if got.get(b) != want.get(b))[:8])


def lmb_view(snap: dict) -> dict:
    out = {}
    res = snap["prop"] == "ibm,dynamic-memory"
    for l in snap["lmbs"]:
        out[l.base] = {"drc": l.drc, "aa": l.aa, "flags": l.flags, "reserved": l.reserved if res else None,
                       "node": dt_node(snap, l.aa, l.flags), "blocks": blocks_of(snap, l.base, snap["lmb_size"])}
    return out


def expected_changes(a: dict, b: dict) -> dict:
    """address -> set of change keys, like drscope's field names"""
    out = {}
    for base in sorted(set(a) | set(b)):
        x, y = a.get(base), b.get(base)
        if x is None or y is None:
            out[base] = {"entry"}
            continue
        c = set()
        if (x["flags"] ^ y["flags"]) & 0x8:
            c.add("assigned")
        if x["drc"] != y["drc"] and not (x["flags"] & y["flags"] & 0x20):
            c.add("drcIndex")
        if x["aa"] != y["aa"]:
            c.add("aaIndex")
        if x["node"] != y["node"]:
            c.add("node")
        for n, bit in FLAGS.items():
            if bit != 0x8 and (x["flags"] ^ y["flags"]) & bit:
                c.add("flag:" + n)
        rest = (x["flags"] ^ y["flags"]) & ~sum(FLAGS.values())
        for i in range(32):
            if rest & (1 << i):
                c.add("flag:0x%x" % (1 << i))
        if x["reserved"] is not None and y["reserved"] is not None and x["reserved"] != y["reserved"]:
            c.add("reserved")
        if bool(x["blocks"]) != bool(y["blocks"]):
            c.add("sysfsBlock")
        elif x["blocks"] and y["blocks"]:
            xn = x["blocks"][min(x["blocks"])]
            yn = y["blocks"][min(y["blocks"])]
            if xn != yn:
                c.add("sysfsNode")
        if c:
            out[base] = c
    return out


def check_diff(ds: list, pa: str, pb: str, sa: dict, sb: dict) -> None:
    where = "diff %s %s" % (os.path.basename(pa), os.path.basename(pb))
    rc, out, err = run(ds + ["diff", "--json", pa, pb])
    if rc not in (0, 1):
        return bad(where, "exit %d: %s" % (rc, err.strip()[:200]))
    j = json.loads(out)
    if (rc == 0) != bool(j.get("identical")):
        bad(where, "exit %d but identical=%r" % (rc, j.get("identical")))
    got = {}
    for d in j["lmbs"]:
        base = int(d["address"], 16)
        if d["kind"] != "changed":
            got[base] = {"entry"}
            continue
        got[base] = {("flag:" + c["flag"]) if c["field"] == "flag" else c["field"] for c in d["changes"]}
    want = expected_changes(lmb_view(sa), lmb_view(sb))
    count("diffs checked")
    count("LMB changes expected", len(want))
    for base in sorted(set(got) | set(want)):
        if got.get(base) != want.get(base):
            bad(where, "LMB @0x%x: drscope %s, python %s" % (base, sorted(got.get(base, [])), sorted(want.get(base, []))))
    # human output runs too
    rc2, _, err2 = run(ds + ["diff", pa, pb])
    if rc2 != rc:
        bad(where, "human exit %d vs json %d" % (rc2, rc))


def audit(ds: list, paths: list, extra: list = ()) -> tuple:
    rc, out, err = run(ds + ["audit", "--json", *extra, *paths])
    if rc not in (0, 1):
        return rc, None, err
    return rc, json.loads(out), err


def ko_by_step(j: dict, names: list, severity=None) -> dict:
    out: dict = {}
    for f in j["findings"]:
        if f["code"] != "kernel-overwrite" or (severity and f["severity"] != severity):
            continue
        if "reserved-cell" in (f.get("evidence") or {}).get("overwrote", []):
            continue
        to = os.path.basename(str(f["evidence"]["to"])).replace(".tar.gz", "")
        out.setdefault(to, set()).update("0x%08x" % (int(x, 16) if isinstance(x, str) else x) for x in f.get("lmbs", []))
    return out


def aa_or_flags(e: dict) -> bool:
    """a ground-truth entry whose aa index or flags (not only the v1 reserved cell) the kernel overwrote"""
    if e["kind"] != "overwritten":
        return False
    fl = int(e["flags"][0], 16) ^ int(e["flags"][1], 16)
    if e.get("dlpar"):
        return bool(fl & ~0x8)
    return bool(fl) or e["aa"][0] != e["aa"][1]


def ko_reserved(j: dict) -> dict:
    out: dict = {}
    for f in j["findings"]:
        if f["code"] == "kernel-overwrite" and "reserved-cell" in (f.get("evidence") or {}).get("overwrote", []):
            to = os.path.basename(str(f["evidence"]["to"])).replace(".tar.gz", "")
            out.setdefault(to, set()).update("0x%08x" % (int(x, 16) if isinstance(x, str) else x) for x in f.get("lmbs", []))
    return out


def audited(where: str, ds: list, paths: list, extra: list, counter: str):
    """drscope audit --json of paths: the JSON, its exit code checked; None (a problem) when it failed"""
    rc, j, err = audit(ds, paths, extra)
    count(counter)
    if j is None:
        bad(where, "exit %d: %s" % (rc, err.strip()[:200]))
        return None
    check_exit(where, rc, j)
    return j


def check_exit(where: str, rc: int, j: dict) -> None:
    sev = {"info": 0, "warning": 1, "error": 2}
    want = 1 if any(sev[f["severity"]] >= 1 for f in j["findings"]) else 0
    if rc != want or j.get("exitCode") != rc:
        bad(where, "exit %d, exitCode %r, want %d" % (rc, j.get("exitCode"), want))


def check_audit(ds: list, hist: str, names: list, truth: dict, subsets: bool = True) -> None:
    paths = [os.path.join(hist, n + ".tar.gz") for n in names]
    exp = {k: set(v) for k, v in truth.get("expected_kernel_overwrite", {}).items() if v}
    lpm_steps = [s["name"] for s in truth["steps"] if s.get("lpm")]
    if not lpm_steps and exp:
        bad(hist, "ground truth has overwrites without an LPM")
    for extra in ([], ["--no-boot"]):
        where = "audit %s%s (all %d)" % (os.path.basename(hist), " --no-boot" if extra else "", len(names))
        j = audited(where, ds, paths, extra, "audits run")
        if j is None:
            continue
        got = ko_by_step(j, names)
        if got != exp:
            bad(where, "kernel-overwrite %r, ground truth %r" % ({k: sorted(v) for k, v in got.items()}, {k: sorted(v) for k, v in exp.items()}))
        rexp = {k: set(v) for k, v in truth.get("expected_reserved_overwrite", {}).items() if v}
        if ko_reserved(j) != rexp:
            bad(where, "reserved-cell kernel-overwrite %r, ground truth %r" % ({k: sorted(v) for k, v in ko_reserved(j).items()}, {k: sorted(v) for k, v in rexp.items()}))
        # every step captured: hypervisor-update (and update-dlpar-same-interval) at the LPMs only
        hu = sorted({(f["code"], os.path.basename(str(f["evidence"]["to"])).replace(".tar.gz", "")) for f in j["findings"]
                     if f["code"] in ("hypervisor-update", "update-dlpar-same-interval")})
        stray = [x for x in hu if x[1] not in lpm_steps]
        if stray:
            bad(where, "hypervisor-update findings outside the LPM steps: %r" % stray)
        if not extra:
            for s in lpm_steps:
                if ("hypervisor-update", s) not in hu:
                    bad(where, "no hypervisor-update at the LPM step %s" % s)
            errs = ko_by_step(j, names, "error")
            if errs != exp:
                bad(where, "kernel-overwrite at error severity %r" % {k: sorted(v) for k, v in errs.items()})
        rc2, _, _ = audit(ds, paths, ["--fail-on", "error"] + extra)
        want2 = 1 if any(f["severity"] == "error" for f in j["findings"]) else 0
        if rc2 != want2:
            bad(where, "--fail-on error exit %d, want %d" % (rc2, want2))
    # given newest first: sorted by capture time, the same findings
    rc, j, err = audit(ds, paths[::-1])
    rc0, j0, _ = audit(ds, paths)
    if j is None or j0 is None or [(f["code"], f.get("lmbs")) for f in j["findings"]] != [(f["code"], f.get("lmbs")) for f in j0["findings"]] \
            or not j.get("sourceOrder", {}).get("sortedByCaptureTime"):
        bad("audit %s (reversed)" % os.path.basename(hist), "not the same findings as in time order, or not re-sorted")
    # subsets: every single capture and every pair (in order)
    for k in ((1, 2) if subsets else ()):
        for sub in itertools.combinations(range(len(names)), k):
            sn = [names[i] for i in sub]
            where = "audit %s [%s]" % (os.path.basename(hist), " ".join(sn))
            j = audited(where, ds, [paths[i] for i in sub], [], "subset audits run")
            if j is None:
                continue
            got = ko_by_step(j, sn)
            if not lpm_steps:
                if got:
                    bad(where, "kernel-overwrite in a history without an LPM: %r" % {a: sorted(b) for a, b in got.items()})
                continue
            lpm_in = [n for n in sn if n in lpm_steps]
            errs = ko_by_step(j, sn, "error")
            if k == 2 and lpm_in and sn[0] in lpm_steps:
                # the LPM capture and a later one: the overwrites since that LPM, all of them
                later = sn[1]
                idx = names.index(later)
                nxt_lpm = [n for n in lpm_steps if names.index(n) > names.index(sn[0]) and names.index(n) <= idx]
                if nxt_lpm:
                    continue
                want = {e["drc"] for e in truth["vs_lpm_update"].get(later, []) if aa_or_flags(e)}
                g = got.get(later, set())
                if g != want:
                    bad(where, "kernel-overwrite %s, ground truth (cumulative since the LPM) %s" % (sorted(g), sorted(want)))
            elif not lpm_in:
                # no capture of the LPM itself: an overwrite cannot be told from the tree for sure
                if errs:
                    bad(where, "error-level kernel-overwrite without the LPM capture: %r" % {a: sorted(b) for a, b in errs.items()})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drscope", default="node %s" % os.path.join(HERE, "..", "..", "bin", "drscope.js"))
    ap.add_argument("--no-subsets", action="store_true", help="skip the single-capture and pair audits")
    ap.add_argument("hist", nargs="+")
    a = ap.parse_args()
    ds = shlex.split(a.drscope)
    for hist in a.hist:
        names = sorted(f[:-len(".tar.gz")] for f in os.listdir(hist) if f.endswith(".tar.gz") and "FAILED" not in f)
        snaps = {}
        for n in names:
            with open(os.path.join(hist, n + ".tar.gz"), "rb") as f:
                snaps[n] = report.load_snapshot(f.read(), n)
            check_lmbs(ds, os.path.join(hist, n + ".tar.gz"), snaps[n], os.path.join(hist, n + ".lmbs.txt"))
        for x, y in itertools.combinations(names, 2):
            check_diff(ds, os.path.join(hist, x + ".tar.gz"), os.path.join(hist, y + ".tar.gz"), snaps[x], snaps[y])
        for n in names[1:]:
            check_boot(ds, os.path.join(hist, n + ".tar.gz"), snaps[names[0]])
        truth_path = os.path.join(hist, "ground-truth.json")
        if os.path.exists(truth_path):
            truth = json.load(open(truth_path))
            if "expected_kernel_overwrite" not in truth:
                # histories made before the field existed: the first DLPAR step after the LPM
                vs = truth["vs_lpm_update"]
                first = sorted(vs)[0]
                truth["expected_kernel_overwrite"] = {first: [e["drc"] for e in vs[first] if aa_or_flags(e)]}
                truth["expected_reserved_overwrite"] = {first: [e["drc"] for e in vs[first] if e["kind"] == "overwritten" and "reserved" in e]}
                for s in truth["steps"]:
                    s["lpm"] = s["name"].endswith("after-lpm")
            check_audit(ds, hist, names, truth, not a.no_subsets)
        print("%s: %d captures checked" % (hist, len(names)))
    for p in problems:
        print("PROBLEM " + p)
    print(json.dumps(counts))
    print("%d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
