#!/usr/bin/env python3
"""Measures a run's root causes and SLA warnings from its scenario and state dump:
exceptions raised, root causes shown (the compression), causes found against causes planted
(the keys the checker derives), and for the order SLA, how long before the first breach the
forecast anomaly came (or that it came after: a miss).

Usage: measure-causes.py SCENARIO DUMP [--planted KEY,KEY,...]
"""
import json
import sys
from datetime import datetime


def at_s(stamp, start):
    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - start).total_seconds()


def main(argv):
    sc, dump = json.load(open(argv[0])), json.load(open(argv[1]))
    planted = set(argv[argv.index("--planted") + 1].split(",")) if "--planted" in argv else set()
    start = datetime.fromisoformat(sc["clock"]["start"].replace("Z", "+00:00"))
    ex = dump["concord"]["exceptions"]
    causes = dump["concord"].get("root_causes") or []
    keyed = [e for e in ex if e["kind"] in ("sku_unknown", "unit_unmapped", "customer_unmapped", "tax_rule_unmapped", "price_mismatch")]
    open_keyed = [e for e in keyed if e["status"] not in ("resolved", "ignored")]
    print(f"exceptions raised: {len(ex)} ({len(keyed)} of root-cause kinds, {len(open_keyed)} still open)")
    print(f"root causes shown: {len(causes)} (compression {len(open_keyed)} -> {len(causes)})")
    found = {c["key"] for c in causes}
    if planted:
        print(f"causes planted and unfixed: {len(planted)}; found {len(planted & found)}; missed {sorted(planted - found)}; extra {sorted(found - planted)}")
    sla = float(sc["settings"].get("order_sla_s", 900))
    placed = {e["order"]["id"]: e["at_s"] for e in sc["timeline"] if e["event"] == "oro_order"}
    # Orders once held (released by a fix) are not late: their cause was (as the checker reads it).
    was_held = {e["subject"] for e in ex if e["kind"] in ("sku_unknown", "unit_unmapped", "customer_unmapped", "tax_rule_unmapped")}
    breaches = []
    for s in dump["cin7"]["sales"]:
        oid = int(s["ExternalID"]) if str(s.get("ExternalID", "")).isdigit() else None
        if oid in placed and f"order:{oid}" not in was_held and s.get("created_at_s") is not None and float(s["created_at_s"]) - placed[oid] > sla:
            breaches.append(placed[oid] + sla)
    warnings = sorted(at_s(e["first_seen"], start) for e in ex if e["kind"] == "anomaly" and e["subject"] == "forecast:orders")
    first_breach = min(breaches) if breaches else None
    print(f"orders over the SLA ({sla:.0f} s): {len(breaches)}; first breach at {first_breach} s" if breaches else "no order breached the SLA")
    if warnings:
        w = warnings[0]
        if first_breach is None:
            print(f"forecast warning at {w:.0f} s; no breach followed")
        else:
            lead = first_breach - w
            print(f"forecast warning at {w:.0f} s: {lead:.0f} s before the first breach" if lead > 0 else f"forecast warning at {w:.0f} s: {-lead:.0f} s after the first breach (a miss)")
    else:
        print("no forecast warning raised" + (" (a miss)" if breaches else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
