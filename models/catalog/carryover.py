"""Last year's decisions for this year's unchanged tasks.

Most of a new list repeats last year's texts with new numbers and dates. For a task whose
text is last year's with only the numbers changed, the clerk already decided its entry
types, fields, indicator codes and how each is computed; keeping them keeps the units'
ledgers, Excel templates and the district's comparisons continuous from year to year. The
numbers stay this year's — they come from the phrase rules — and an indicator last year had
with no phrase behind it this year (task 2's 90 % 知晓率, from the 2022 plan) is carried with
last year's target and flagged for the clerk to confirm.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from models.catalog.phrase_rules import FLAG_NO_INDICATOR, FLAG_NO_TARGET, FLAG_UNKNOWN_UNIT, compute_fields, flag

FLAG_CARRIED = "carried"
RATES = {"latest", "weighted_mean"}


def text_key(text: str) -> str:
    """A task's text with its numbers (and years) blanked: 2023's and 2024's compare equal."""
    return re.sub(r"\d+(?:\.\d+)?", "#", re.sub(r"\s", "", text))


def _family(compute: dict[str, Any]) -> tuple:
    kind = compute.get("kind")
    return ("rate",) if kind in RATES else (kind, compute.get("measure"), compute.get("report"))


def _match(new: dict[str, Any], old: dict[str, Any]) -> bool:
    return (new["period"], new["comparison"], _family(new["compute"])) == (
        old["period"], old["comparison"], _family(old["compute"]))


def carry_task(task: dict[str, Any], previous: dict[str, Any], *, year: int) -> dict[str, Any]:
    """``task`` (proposed from its phrases) with last year's structure where the text is unchanged."""
    prev_year = previous.get("year")
    new_indicators = task["indicators"]
    used: set[int] = set()
    carried: list[dict[str, Any]] = []
    olds = previous.get("indicators", [])
    # Pair alike indicators, most similar names first (task 2's three rates against two proposals).
    pairs = sorted(((len(set(new["name"]) & set(old["name"])), o, n) for o, old in enumerate(olds)
                    for n, new in enumerate(new_indicators) if _match(new, old)), key=lambda p: -p[0])
    pairing: dict[int, int] = {}
    for _score, o, n in pairs:
        if o not in pairing and n not in pairing.values():
            pairing[o] = n
    for o, old in enumerate(olds):
        hit = pairing.get(o)
        ind = copy.deepcopy(old)
        if hit is not None:
            used.add(hit)
            proposed = new_indicators[hit]
            ind["phrase"], ind["rule"] = proposed.get("phrase", ""), proposed.get("rule", "")
            if proposed.get("status") == "needs_target" and old.get("target") is not None:
                # a rate the text names without a number: last year's target, to confirm
                ind["status"] = "carried"
                task["flags"].append(flag(FLAG_CARRIED, f"“{ind['name']}”的目标值原文未写明，沿用{prev_year}年的 "
                                                        f"{old['target']:g}{ind['unit']}，请核对"))
            else:  # this year's numbers, from this year's text
                for key in ("target", "district_target"):
                    if key in proposed or key in ind:
                        ind[key] = proposed.get(key)
                new_compute = proposed["compute"]
                if "where" in ind["compute"] and "where" in new_compute:
                    ind["compute"]["where"]["min"] = new_compute["where"]["min"]
                if "min_score" in ind["compute"] and "min_score" in new_compute:
                    ind["compute"]["min_score"] = new_compute["min_score"]
        else:
            ind["phrase"], ind["rule"], ind["status"] = "", "carried", "carried"
            target = ind.get("target")
            shown = f" {target:g}{ind['unit']}" if isinstance(target, (int, float)) else ""
            task["flags"].append(flag(FLAG_CARRIED, f"“{ind['name']}”原文未写明，沿用{prev_year}年的指标{shown}，请核对或删除"))
        carried.append(ind)
    # proposals of this year with nothing like them last year stay as proposed (a new target)
    carried += [ind for i, ind in enumerate(new_indicators) if i not in used and ind.get("status") != "needs_target"]
    seen: set[str] = set()
    for ind in carried:  # a new proposal's code must not collide with a carried one
        if ind["code"] in seen:
            ind["code"] += f"_{year}"
        seen.add(ind["code"])
    task["indicators"] = carried
    task["fields"] = copy.deepcopy(previous.get("fields", [])) + [
        f for f in task["fields"]
        if any(f["code"] in compute_fields(i["compute"]) for i in carried)
        and not any(f["code"] == p["code"] for p in previous.get("fields", []))]
    task["entry_types"] = copy.deepcopy(previous.get("entry_types", [])) + [
        e for e in task["entry_types"]
        if any(e["name"] in i["compute"].get("entry_types", []) for i in carried)
        and not any(e["name"] == p["name"] for p in previous.get("entry_types", []))]
    task["flags"] = [f for f in task["flags"] if f["kind"] not in (FLAG_NO_TARGET,)
                     and not (f["kind"] == FLAG_NO_INDICATOR and carried)]
    if task["responsible"] == previous.get("responsible"):  # same words, decided last year: not a guess
        task["applies_to"] = copy.deepcopy(previous["applies_to"])
        task["flags"] = [f for f in task["flags"] if f["kind"] != FLAG_UNKNOWN_UNIT]
    task["carried_from"] = prev_year
    return task


def carry_over(draft: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Apply last year's list (its raw JSON) to every task whose text is unchanged but for numbers."""
    if not previous:
        return draft
    by_text = {text_key(t["target_text"]): dict(t, year=previous["year"]) for t in previous["tasks"]}
    for task in draft["tasks"]:
        old = by_text.get(text_key(task["target_text"]))
        if old is not None:
            carry_task(task, old, year=int(draft["year"]))
    return draft
