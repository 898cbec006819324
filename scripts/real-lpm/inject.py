"""Build the "hypervisor" properties of the emulated LPM from the boot snapshot.

What a destination system sends (ibm,update-properties for the drconf node) is modelled as:
- ibm,associativity-lookup-arrays: the same domains, listed in the opposite order (the
  destination numbers its associativity arrays differently);
- ibm,dynamic-memory(-v2): every aa_index re-pointed to the reordered arrays, so each
  assigned LMB keeps its domain, except
  * the 2nd half of dimm0 (boot DIMM on node 1) now points at the other domain
    (the destination placed that memory elsewhere: the DT disagrees with sysfs afterwards,
    which is legitimate after an LPM),
  * the last LMB of dimm0 loses HOTREMOVABLE (v2: 0x108 -> 0x8; v1, where QEMU writes 0x8,
    it gains it: 0x8 -> 0x108),
  * four free LMBs (5th..8th free LMB, never touched by the later DLPAR) gain an affinity
    (aa_index of node 0's domain) and HOTREMOVABLE (0x0 -> 0x100),
  * the last four free LMBs become DRC_INVALID (0x0 -> 0x20),
  * v1 only: the 9th..12th free LMBs get reserved cell 1 (the kernel's v1 writer zeroes it).
  v2 is encoded hypervisor-style: sets split at the 13th free LMB although neighbours are
  equal (the kernel's canonical writer would merge them).
The kernel (5.15+) copies aa_index from this update into drmem_info (drmem_update_lmbs) but
never flags, so its next drmem_update_dt() writes the boot-time flags back.
"""
import drconf as dc


def plan_lpm(snap: dict, drop_node=None) -> dict:
    """drop_node: the destination has no associativity array for this node (no drconf LMB may
    point at it); a later DLPAR add on that node makes the kernel append one (find_aa_index)."""
    lmbs = [dc.Lmb(l.base, l.drc, l.aa, l.flags, l.reserved) for l in snap["lmbs"]]
    arrays = snap["arrays"]
    a = len(arrays)
    ref = snap["ref_points"][0]
    new_arrays = [arr for arr in reversed(arrays) if arr[ref - 1] != drop_node]
    remap = {i: new_arrays.index(arrays[i]) for i in range(a) if arrays[i] in new_arrays}
    if drop_node is not None and any(l.aa < a and l.aa not in remap for l in lmbs):
        raise ValueError("an LMB points at node %d's array, which the LPM would drop" % drop_node)
    home = 0 if drop_node != 0 else 1
    other = next(n for n in range(3) if n not in (home, drop_node))

    def idx_of_node(nid: int) -> int:
        for i, arr in enumerate(new_arrays):
            if arr[ref - 1] == nid:
                return i
        raise ValueError("no array for node %d" % nid)

    boot = {l.drc: (l.aa, l.flags, l.reserved) for l in lmbs}
    why: dict = {}

    def note(l, text):
        why.setdefault(l.drc, []).append(text)

    for l in lmbs:
        if l.aa in remap:
            l.aa = remap[l.aa]
            note(l, "aa_index re-pointed to the reordered arrays (same domain)")
    dimm0 = [l for l in lmbs if l.flags & 0x8 and not l.flags & 0x80]
    free = [l for l in lmbs if l.flags == 0]
    if len(dimm0) < 2 or len(free) < 12:
        raise ValueError("unexpected boot layout: %d dimm LMBs, %d free" % (len(dimm0), len(free)))
    for l in dimm0[len(dimm0) // 2:]:
        # the LMB's node before (at the time of this LPM): moved to node 0, or node 1 if it is on 0
        old = arrays[boot[l.drc][0]][ref - 1] if boot[l.drc][0] < a else None
        dest = home if old != home else other
        l.aa = idx_of_node(dest)
        note(l, "moved to node %d's domain (sysfs keeps node %s)" % (dest, old))
    # QEMU writes 0x108 for boot DIMMs in v2 but 0x8 in v1: toggle the bit either way
    dimm0[-1].flags ^= 0x100
    note(dimm0[-1], "HOTREMOVABLE %s" % ("added" if dimm0[-1].flags & 0x100 else "dropped"))
    for l in free[4:8]:
        l.aa, l.flags = idx_of_node(home), 0x100
        note(l, "free LMB given node %d's affinity and HOTREMOVABLE" % home)
    for l in free[-4:]:
        l.flags = 0x20
        note(l, "DRC marked invalid")
    if snap["prop"] == "ibm,dynamic-memory":
        # v1 only: a non-zero reserved cell. Nothing known fills it (PAPR: reserved); it is
        # set here so that the kernel's v1 rewrite, which always writes 0, becomes visible.
        for l in free[8:12]:
            l.reserved = 0x1
            note(l, "reserved cell set to 1 (synthetic marker)")
    def node(arrs, aa):
        return arrs[aa][ref - 1] if aa < len(arrs) else None

    # Every LMB whose value or meaning changed (0x8000000a-style LMBs keep their aa_index
    # value while the reordered arrays give it another node).
    changes = []
    for l in lmbs:
        b = boot[l.drc]
        if (l.aa, l.flags, l.reserved) != b or l.drc in why:
            changes.append({"drc": "0x%08x" % l.drc, "base": "0x%x" % l.base,
                            "boot": {"aa": "0x%x" % b[0], "flags": "0x%x" % b[1], "reserved": "0x%x" % b[2],
                                     "node": node(arrays, b[0])},
                            "injected": {"aa": "0x%x" % l.aa, "flags": "0x%x" % l.flags, "reserved": "0x%x" % l.reserved,
                                         "node": node(new_arrays, l.aa)},
                            "why": "; ".join(why.get(l.drc, []))})
    v1 = snap["prop"] == "ibm,dynamic-memory"
    if v1:
        dm = dc.encode_v1(lmbs)
    else:
        dm = dc.encode_v2(lmbs, snap["lmb_size"], split_at=(free[12].drc,))
    return {
        "phandle": "0x%x" % snap["phandle"],
        "prop": snap["prop"],
        "arrays_bytes": dc.encode_arrays(new_arrays),
        "dm_bytes": dm,
        "lmbs": lmbs,
        "arrays": new_arrays,
        "describe": {
            "prop": snap["prop"],
            "dropped_node": drop_node,
            "arrays_boot": arrays,
            "arrays_injected": new_arrays,
            "arrays_hex": dc.encode_arrays(new_arrays).hex(),
            "dm_hex": dm.hex(),
            "changes": changes,
            "flag_changed_drcs": [c["drc"] for c in changes if c["boot"]["flags"] != c["injected"]["flags"]],
            "node_changed_drcs": [c["drc"] for c in changes if c["boot"]["node"] != c["injected"]["node"]],
        },
    }
