#!/usr/bin/env python3
"""Writes planted-causes.json: the trade shop with 45 orders held behind 3 planted causes, one of
them fixed mid-run (a product created in Cin7), 5 orders behind an off-list price, and a burst of
300 clean orders that the Cin7 budget cannot clear within the order SLA.

Planted causes: sku:SOCK-PNK (15 orders, fixed at 3000 s), sku:HAT-GRN (15), unit:MUG-BLU:pallet
(15), price:1:CAP-RED:each (5, a flag: those orders flow). Usage: gen-planted-causes.py > FILE
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "..", "crates", "concord", "tests", "scenarios", "trade-shop.json")


def line(sku, unit, qty, pence):
    net = qty * pence
    tax = (net * 20 + 50) // 100
    return {"sku": sku, "unit": unit, "quantity": str(qty), "price": f"{pence // 100}.{pence % 100:02d}",
            "tax": f"{tax // 100}.{tax % 100:02d}"}


def order(at, oid, customer, lines):
    user = {1: 11, 2: 21, 3: 31}[customer]
    return {"at_s": at, "event": "oro_order", "order": {
        "id": oid, "identifier": f"P-{oid}", "po_number": None, "customer": customer, "customer_user": user,
        "currency": "GBP", "checkout": False, "internal_status": "open", "status": None, "lines": lines,
        "shipping": {"amount": "15.00", "tax": "3.00"}}}


def main():
    s = json.load(open(BASE))
    s["name"] = "planted-causes"
    s["description"] = __doc__.split("\n\n")[0].replace("\n", " ")
    s["run_until_s"] = 7200
    s["clock"]["speed"] = 60
    s["cin7"]["rate_limit"]["calls_per_minute"] = 30
    for sku in ("SOCK-PNK", "HAT-GRN"):
        s["oro"]["products"].append({"sku": sku, "name": sku, "inventory": {"each": "0"}, "inventory_status": "in_stock",
                                     "units": [{"code": "each", "conversion_rate": "1", "precision": 0}]})
    mug = next(p for p in s["oro"]["products"] if p["sku"] == "MUG-BLU")
    mug["units"].append({"code": "pallet", "conversion_rate": "120", "precision": 0})
    events, oid = [], 5000
    for i in range(15):
        for sku_line in (line("SOCK-PNK", "each", 2, 300), line("HAT-GRN", "each", 1, 900),
                         line("MUG-BLU", "pallet", 1, 48000)):
            oid += 1
            events.append(order(300 + i * 150 + (oid % 3) * 20, oid, 2 + oid % 2, [sku_line]))
    for i in range(5):
        oid += 1
        events.append(order(600 + i * 300, oid, 3, [line("CAP-RED", "each", 4, 550)]))
    skus = [("CAP-RED", 600), ("TEE-GRN", 1000), ("MUG-BLU", 400)]
    for i in range(300):
        oid += 1
        sku, pence = skus[i % 3]
        events.append(order(4000 + i // 5, oid, 2 + i % 2, [line(sku, "each", 1, pence)]))
    events.append({"at_s": 3000, "event": "cin7_product", "product": {
        "sku": "SOCK-PNK", "name": "Socks pink", "uom": "Each", "price_tiers": {"Trade": "3.00"}}})
    events.append({"at_s": 3000, "event": "cin7_stock_adjust", "sku": "SOCK-PNK", "location": "Main Warehouse",
                   "delta": "500"})
    s["timeline"] = sorted(events, key=lambda e: e["at_s"])
    s["expect"] = {"min_orders_synced": 320, "max_oversold_units": "0"}
    print(json.dumps(s, indent=1))


if __name__ == "__main__":
    main()
