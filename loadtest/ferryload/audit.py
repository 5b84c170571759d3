"""The end-of-run audit: every order a gateway accepted is in NetSuite exactly once, with its amounts: product
lines, NetSuite's total including tax against the shop's total paid, the deposit against the amount paid.

A pure function over two snapshots (what the shop placed and the gateways accepted; what the NetSuite sandbox
holds), like a reconciliation diff. Webhooks the shop never delivered (dropped, or refused after every retry) are
counted as *not delivered*, not as lost: Ferry has no missed-webhook poller yet, so it cannot know about them.
"""

from decimal import Decimal, InvalidOperation


def dec(value):
    """Decimal from a JSON number or a decimal string; None when absent."""
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value):
    v = dec(value)
    return None if v is None else v.quantize(Decimal("0.01"))


def sales_order_external_id(shop_id, order_id):
    return f"PS-{shop_id}-{order_id}"


def expected_from_webhook(order_json, paid_states):
    """What NetSuite must hold for one PrestaShop order, from the webhook body (`{"order": {…}}`)."""
    o = order_json["order"]
    rows = (o.get("associations") or {}).get("order_rows") or []
    return {
        "order_id": int(o["id"]),
        "shop_id": int(o.get("id_shop", 1)),
        "lines": sorted(
            (int(r.get("product_quantity", 0)), str(money(r.get("unit_price_tax_excl")))) for r in rows),
        "subtotal": str(money(o.get("total_products"))),
        "shipping": str(money(o.get("total_shipping_tax_excl", 0))),
        "paid": int(o.get("current_state", 0)) in paid_states,
        "total_paid": str(money(o.get("total_paid_tax_incl"))),
    }


def audit(orders, sales_orders, deposits, creates, duplicate_lines, dead_lettered):
    """orders: {order_id: {"delivery": "accepted" | "dropped" | "failed", "expected": expected_from_webhook(…)}};
    sales_orders / deposits: normalized records (see normalize_*) from the sandbox, every copy listed;
    creates: {"salesOrder": {externalId: successful creates}, "customerDeposit": {…}};
    duplicate_lines: external ids of sales orders with one item on more than one line;
    dead_lettered: idempotency keys in the dead-letter stream."""
    so_by_eid, dep_by_eid = {}, {}
    for so in sales_orders:
        so_by_eid.setdefault(so["externalId"], []).append(so)
    for d in deposits:
        dep_by_eid.setdefault(d["externalId"], []).append(d)
    so_creates = creates.get("salesOrder", {}) or {}
    dep_creates = creates.get("customerDeposit", {}) or {}
    dup_lines = set(duplicate_lines)

    result = {
        "orders_placed": len(orders), "accepted": 0, "not_delivered": {"dropped": [], "failed": []},
        "in_netsuite": 0, "lost": [], "dead_lettered": [], "duplicated": [], "duplicated_lines": [],
        "amount_mismatches": [], "in_netsuite_without_202": [],
    }
    for order_id in sorted(orders):
        entry = orders[order_id]
        exp = entry["expected"]
        eid = sales_order_external_id(exp["shop_id"], order_id)
        key = f"ps-{exp['shop_id']}-order-{order_id}"
        copies = so_by_eid.get(eid, [])
        delivery = entry["delivery"]
        if delivery != "accepted":
            if copies:
                # The gateway stored it but its answer never reached the shop (e.g. a timeout): still audited.
                result["in_netsuite_without_202"].append(eid)
            else:
                result["not_delivered"].setdefault(delivery, []).append(order_id)
                continue
        else:
            result["accepted"] += 1
        if not copies:
            (result["dead_lettered"] if key in dead_lettered else result["lost"]).append(eid)
            continue
        result["in_netsuite"] += 1
        if len(copies) > 1 or so_creates.get(eid, 1) > 1:
            result["duplicated"].append(eid)
        if eid in dup_lines:
            result["duplicated_lines"].append(eid)
        so = copies[0]

        def mismatch(field, expected, found):
            result["amount_mismatches"].append({"externalId": eid, "field": field, "expected": expected, "found": found})

        # Product lines; discount, gift-wrapping and rounding lines carry a description and are judged by the total.
        lines = sorted((int(dec(l["quantity"]) or 0), str(money(l["rate"]))) for l in so["lines"]
                       if not l.get("description"))
        if lines != exp["lines"]:
            mismatch("lines (quantity, rate)", exp["lines"], lines)
        # The money that matters: NetSuite's total with tax, as it computes it from the tax codes, is what was paid.
        if str(money(so.get("total"))) != exp["total_paid"]:
            mismatch("total (tax incl.)", exp["total_paid"], str(money(so.get("total"))))
        dep_copies = dep_by_eid.get(eid + "-DEP", [])
        if len(dep_copies) > 1 or dep_creates.get(eid + "-DEP", 1) > 1:
            result["duplicated"].append(eid + "-DEP")
        if exp["paid"]:
            if not dep_copies:
                mismatch("customerDeposit", exp["total_paid"], None)
            else:
                found = str(money(dep_copies[0].get("payment")))
                if found != exp["total_paid"]:
                    mismatch("customerDeposit.payment", exp["total_paid"], found)
                if str(dep_copies[0].get("salesOrder")) != str(so.get("id")):
                    mismatch("customerDeposit.salesOrder", so.get("id"), dep_copies[0].get("salesOrder"))
        elif dep_copies:
            mismatch("customerDeposit (unpaid order)", None, str(money(dep_copies[0].get("payment"))))
    result["counts"] = {
        "orders_placed": result["orders_placed"],
        "accepted": result["accepted"],
        "not_delivered": sum(len(v) for v in result["not_delivered"].values()),
        "in_netsuite": result["in_netsuite"],
        "lost": len(result["lost"]),
        "dead_lettered": len(result["dead_lettered"]),
        "duplicated": len(result["duplicated"]),
        "duplicated_lines": len(result["duplicated_lines"]),
        "amount_mismatches": len(result["amount_mismatches"]),
        "in_netsuite_without_202": len(result["in_netsuite_without_202"]),
    }
    result["ok"] = not (result["lost"] or result["duplicated"] or result["duplicated_lines"] or result["amount_mismatches"])
    return result


def _ref_id(value):
    if isinstance(value, dict):
        return value.get("id")
    return value


def normalize_sales_order(entry):
    """One `/_sandbox/records/salesOrder` entry → {externalId, id, lines, subTotal, shippingCost, total}."""
    record = entry.get("record", {})
    items = record.get("item", {})
    lines = items.get("items", []) if isinstance(items, dict) else (items or [])
    return {
        "externalId": entry.get("externalId") or record.get("externalId"),
        "id": str(entry.get("id") or record.get("id")),
        "lines": [{"item": _ref_id(l.get("item")), "quantity": l.get("quantity"), "rate": l.get("rate"),
                   "description": l.get("description")} for l in lines],
        "subTotal": record.get("subTotal"),
        "shippingCost": record.get("shippingCost"),
        "total": record.get("total"),
    }


def normalize_deposit(entry):
    record = entry.get("record", {})
    return {
        "externalId": entry.get("externalId") or record.get("externalId"),
        "id": str(entry.get("id") or record.get("id")),
        "payment": record.get("payment"),
        "salesOrder": _ref_id(record.get("salesOrder")),
    }
