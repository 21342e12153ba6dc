"""Functional coverage of the pyuvm environment (cocotb-coverage 2.0 coverpoints and crosses).

What is covered (bins are listed in `ImsCoverage.__init__`):

  slot_index          in-range trigger index: 0, 1, mid (NUM_SLOTS/2), last (NUM_SLOTS-1) and
                      log2 buckets [2^k, 2^(k+1)); one trigger may hit several bins
  outcome             sent / pended / drop_range / drop_disabled / drop_pasid per trigger, and
                      replay per replayed message
  state.slot_mask     the slot's MASK bit when the trigger was judged (na: index out of range)
  state.func_mask     CTRL.FUNC_MASK when the trigger was judged
  state.enable        CTRL.ENABLE when the trigger was judged
  outcome_x_state     cross of the four above; combinations the contract makes impossible
                      (e.g. sent while masked) are ignore bins, so 100 % is reachable
  back_to_back        runs of triggers to one slot on consecutive cycles (2, 3, 4+ long)
  replay_cause        which register write made the replayed slot eligible: slot unmask,
                      CTRL.FUNC_MASK cleared, CTRL.ENABLE set
  ir_fault_reason     fault reason 0x20..0x28 the platform model's IR unit raised for a message
  affinity_move       an interrupt arriving during a vector move: on the old vector (the
                      move stays open) or on the new one (which completes the move)
  pasid               PASID_EN slot: matching / mismatching / absent PASID; slot without
                      PASID_EN: PASID carried / absent
  backpressure.aw/.w  per 64-cycle window with traffic: fraction of AW (W) valid cycles the
                      memory agent stalled (valid high, ready low), bucketed

Samples are the scoreboard's judgements (the device model of the first surviving history,
the same view as its outcome statistics) and the monitors' observations. The hot path only
counts raw values in a Counter (the lean monitor loop runs at tens of thousands of messages per
second); `commit()` feeds them through the cocotb-coverage samplers once, at the end of the
test, and `report()` / `write_json()` turn the coverage database into plain JSON. Reports of
many runs are merged with `merge_reports()` (counts summed per bin; bins are the union, so a
2048-slot run adds the slot buckets a 64-slot run does not have).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_db

from models.regs import regs as _regs   # field positions from regs/ims.rdl

_ENABLE, _FUNC_MASK = _regs.CTRL.ENABLE, _regs.CTRL.FUNC_MASK
_MASK, _PASID_EN, _PASID = _regs.slot.CTRL.MASK, _regs.slot.CTRL.PASID_EN, _regs.slot.CTRL.PASID

OUTCOMES = ("sent", "pended", "drop_range", "drop_disabled", "drop_pasid", "replay")
REPLAY_CAUSES = ("unmask", "func_mask_clear", "enable_set")
IR_FAULT_REASONS = tuple(range(0x20, 0x29))
AFFINITY_BINS = ("old_vector_during_move", "new_vector_during_move")
PASID_BINS = ("pasid_en_match", "pasid_en_mismatch", "pasid_en_absent",
              "no_pasid_en_carried", "no_pasid_en_absent")
BACK_TO_BACK_BINS = ("2", "3", "4+")
BACKPRESSURE_BINS = ("0%", "1-24%", "25-49%", "50-74%", "75-100%")
BACKPRESSURE_WINDOW = 64     # cycles per backpressure sample
REPORT_FILE_PREFIX = "functional_coverage"

_instances = itertools.count()


def slot_bins(num_slots: int) -> dict[str, callable]:
    """Bin label -> predicate on an in-range slot index."""
    bins = {"0": lambda i: i == 0, "1": lambda i: i == 1,
            "mid": (lambda i, m=num_slots // 2: i == m),
            "last": (lambda i, n=num_slots - 1: i == n)}
    k = 1
    while (1 << k) < num_slots:
        lo, hi = 1 << k, 1 << (k + 1)
        bins[f"[{lo},{hi})"] = (lambda i, lo=lo, hi=hi: lo <= i < hi)
        k += 1
    return bins


def backpressure_bin(stalled: int, valid: int) -> str | None:
    """Bucket of stalled/valid cycles; None when the channel had no traffic in the window."""
    if valid <= 0:
        return None
    pct = 100 * stalled / valid
    if stalled == 0:
        return "0%"
    if pct < 25:
        return "1-24%"
    if pct < 50:
        return "25-49%"
    if pct < 75:
        return "50-74%"
    return "75-100%"


def legal_state(outcome: str, mask: str, func: int, enable: int) -> bool:
    """Can the contract's rules (ims-block.md §4) produce `outcome` in this state?"""
    if outcome == "drop_range":
        return mask == "na"                  # no slot: its mask does not exist
    if mask == "na":
        return False
    if outcome == "drop_disabled":
        return enable == 0
    if outcome == "drop_pasid":
        return enable == 1                   # rule 3 comes before the masks (rule 4)
    if outcome == "pended":
        return enable == 1 and (mask == "1" or func == 1)
    # sent, and a replay: only an eligible slot (unmasked, no FUNC_MASK, enabled) emits
    return enable == 1 and mask == "0" and func == 0


class ImsCoverage:
    """The coverage model of one test. Cheap `on_*` hooks, `commit()` once at the end."""

    def __init__(self, num_slots: int, name: str | None = None) -> None:
        self.num_slots = num_slots
        # cocotb-coverage keeps one global database keyed by name: a fresh prefix per
        # instance so that tests sharing a simulator process (or unit tests) never mix bins.
        self.prefix = name or f"ims_cov{next(_instances)}"
        self._trigger_samples: Counter = Counter()   # (index|None, outcome, mask, func, en, pasid_bin)
        self._replay_causes: Counter = Counter()
        self._replays = 0
        self._ir_faults: Counter = Counter()
        self._affinity: Counter = Counter()
        self._b2b: Counter = Counter()
        self._bp: dict[str, Counter] = {"aw": Counter(), "w": Counter()}
        self._run_index = None
        self._run_last_cycle = None
        self._run_len = 0
        self.committed = False
        self._define()

    # ------------------------------------------------------------------ definition
    def _name(self, item: str) -> str:
        return f"{self.prefix}.{item}"

    def _define(self) -> None:
        n = self._name
        sbins = slot_bins(self.num_slots)
        self.slot_labels = list(sbins)

        @CoverPoint(n("slot_index"), xf=lambda i: i, bins=self.slot_labels,
                    rel=lambda i, label: sbins[label](i), inj=False)
        def sample_slot(i):
            pass

        mask_bins, flag_bins = ["0", "1", "na"], [0, 1]
        ign = [b for b in itertools.product(OUTCOMES, mask_bins, flag_bins, flag_bins)
               if not legal_state(*b)]

        @CoverPoint(n("outcome"), xf=lambda o, m, f, e: o, bins=list(OUTCOMES))
        @CoverPoint(n("state.slot_mask"), xf=lambda o, m, f, e: m, bins=mask_bins)
        @CoverPoint(n("state.func_mask"), xf=lambda o, m, f, e: f, bins=flag_bins)
        @CoverPoint(n("state.enable"), xf=lambda o, m, f, e: e, bins=flag_bins)
        @CoverCross(n("outcome_x_state"),
                    items=[n("outcome"), n("state.slot_mask"), n("state.func_mask"), n("state.enable")],
                    ign_bins=ign)
        def sample_outcome(o, m, f, e):
            pass

        @CoverPoint(n("back_to_back"), xf=lambda b: b, bins=list(BACK_TO_BACK_BINS))
        def sample_b2b(b):
            pass

        @CoverPoint(n("replay_cause"), xf=lambda c: c, bins=list(REPLAY_CAUSES))
        def sample_cause(c):
            pass

        @CoverPoint(n("ir_fault_reason"), xf=lambda r: r, bins=[f"{r:#x}" for r in IR_FAULT_REASONS])
        def sample_fault(r):
            pass

        @CoverPoint(n("affinity_move"), xf=lambda a: a, bins=list(AFFINITY_BINS))
        def sample_affinity(a):
            pass

        @CoverPoint(n("pasid"), xf=lambda p: p, bins=list(PASID_BINS))
        def sample_pasid(p):
            pass

        @CoverPoint(n("backpressure.aw"), xf=lambda b: b, bins=list(BACKPRESSURE_BINS))
        def sample_bp_aw(b):
            pass

        @CoverPoint(n("backpressure.w"), xf=lambda b: b, bins=list(BACKPRESSURE_BINS))
        def sample_bp_w(b):
            pass

        self._samplers = dict(slot=sample_slot, outcome=sample_outcome, b2b=sample_b2b,
                              cause=sample_cause, fault=sample_fault, affinity=sample_affinity,
                              pasid=sample_pasid, aw=sample_bp_aw, w=sample_bp_w)
        self.items = ["slot_index", "outcome", "state.slot_mask", "state.func_mask", "state.enable",
                      "outcome_x_state", "back_to_back", "replay_cause", "ir_fault_reason",
                      "affinity_move", "pasid", "backpressure.aw", "backpressure.w"]

    # ------------------------------------------------------------------ hot-path hooks
    def on_trigger(self, cycle: int, index: int, pasid: int | None, outcome: str,
                   ctrl: int, slot_ctrl: int | None) -> None:
        """One judged trigger. `ctrl` is CTRL, `slot_ctrl` the slot's CTRL word (None when the
        index is out of range), both as the model held them when it judged the trigger."""
        if slot_ctrl is None:
            key = (None, outcome, "na", _FUNC_MASK.get(ctrl), _ENABLE.get(ctrl), None)
        else:
            if slot_ctrl & _PASID_EN:
                pb = ("pasid_en_absent" if pasid is None else
                      "pasid_en_match" if pasid == _PASID.get(slot_ctrl) else "pasid_en_mismatch")
            else:
                pb = "no_pasid_en_absent" if pasid is None else "no_pasid_en_carried"
            key = (index, outcome, "1" if slot_ctrl & _MASK else "0", _FUNC_MASK.get(ctrl), _ENABLE.get(ctrl), pb)
        self._trigger_samples[key] += 1
        # back-to-back: consecutive accepted triggers to one slot on consecutive cycles
        if index == self._run_index and cycle == self._run_last_cycle + 1:
            self._run_len += 1
        else:
            self._end_run()
            self._run_index, self._run_len = index, 1
        self._run_last_cycle = cycle

    def _end_run(self) -> None:
        if self._run_len >= 2:
            self._b2b["4+" if self._run_len >= 4 else str(self._run_len)] += 1
        self._run_len = 0

    def on_reset(self) -> None:
        self._end_run()
        self._run_index = self._run_last_cycle = None

    def on_replay(self, causes: tuple[str, ...] | None) -> None:
        """A replayed message was observed; `causes` are the register-write effects that made
        its slot eligible (see replay_causes())."""
        self._replays += 1
        for c in causes or ():
            self._replay_causes[c] += 1

    def on_ir_fault(self, reason: int) -> None:
        self._ir_faults[int(reason)] += 1

    def on_affinity_move(self, on_old_vector: bool) -> None:
        self._affinity[AFFINITY_BINS[0] if on_old_vector else AFFINITY_BINS[1]] += 1

    def on_backpressure(self, aw_stalled: int, aw_valid: int, w_stalled: int, w_valid: int) -> None:
        for ch, stalled, valid in (("aw", aw_stalled, aw_valid), ("w", w_stalled, w_valid)):
            b = backpressure_bin(stalled, valid)
            if b is not None:
                self._bp[ch][b] += 1

    # ------------------------------------------------------------------ reporting
    def commit(self) -> None:
        """Feed the counted samples through the cocotb-coverage samplers (once)."""
        if self.committed:
            return
        self.committed = True
        self._end_run()
        s = self._samplers
        for (index, outcome, mask, func, en, pb), count in self._trigger_samples.items():
            for _ in range(count):
                if index is not None:
                    s["slot"](index)
                    s["pasid"](pb)
                s["outcome"](outcome, mask, func, en)
        for _ in range(self._replays):
            s["outcome"]("replay", "0", 0, 1)
        for name, counter in (("b2b", self._b2b), ("cause", self._replay_causes),
                              ("affinity", self._affinity), ("aw", self._bp["aw"]), ("w", self._bp["w"])):
            for value, count in counter.items():
                for _ in range(count):
                    s[name](value)
        for reason, count in self._ir_faults.items():
            for _ in range(count):
                s["fault"](f"{reason:#x}")

    def report(self) -> dict:
        """{"coverpoints": {name: {"bins": {label: hits}, "hit": h, "total": t}}, "overall": ...}"""
        self.commit()
        points = {}
        for item in self.items:
            cov = coverage_db[self._name(item)]
            bins = {_label(b): int(v) for b, v in cov.detailed_coverage.items()}
            points[item] = {"bins": bins, "hit": sum(1 for v in bins.values() if v > 0),
                            "total": len(bins)}
        return summarise({"coverpoints": points})

    def write_json(self, directory: Path, test: str, extra: dict | None = None) -> Path:
        rep = self.report()
        rep.update({"test": test, "num_slots": self.num_slots}, **(extra or {}))
        path = Path(directory) / f"{REPORT_FILE_PREFIX}-{test}.json"
        path.write_text(json.dumps(rep, indent=1))
        return path


def replay_causes(offset: int, old_ctrl: int, new_ctrl: int, old_slot_ctrl: int | None,
                  new_slot_ctrl: int | None) -> tuple[str, ...]:
    """What a register write did that can make a pending slot eligible (ims-block.md §4
    Replay): unmask the slot, clear CTRL.FUNC_MASK, set CTRL.ENABLE (a CTRL write may do two)."""
    causes = []
    if old_slot_ctrl is not None and new_slot_ctrl is not None:
        if old_slot_ctrl & _MASK and not new_slot_ctrl & _MASK:
            causes.append("unmask")
    if old_ctrl & _FUNC_MASK and not new_ctrl & _FUNC_MASK:
        causes.append("func_mask_clear")
    if not old_ctrl & _ENABLE and new_ctrl & _ENABLE:
        causes.append("enable_set")
    return tuple(causes)


def _label(b) -> str:
    if isinstance(b, tuple):
        names = ("", "mask=", "func=", "en=")
        return "|".join(f"{names[k] if k < len(names) else ''}{x}" for k, x in enumerate(b))
    return str(b)


def summarise(rep: dict) -> dict:
    points = rep["coverpoints"]
    for p in points.values():
        p["hit"] = sum(1 for v in p["bins"].values() if v > 0)
        p["total"] = len(p["bins"])
    hit = sum(p["hit"] for p in points.values())
    total = sum(p["total"] for p in points.values())
    rep["overall"] = {"hit": hit, "total": total, "percent": round(100.0 * hit / total, 1) if total else 0.0}
    return rep


def merge_reports(reports: list[dict]) -> dict:
    """Sum the hits of several runs' reports, bin by bin (bins: the union over the runs)."""
    merged: dict[str, dict] = {}
    for rep in reports:
        for name, p in rep.get("coverpoints", {}).items():
            bins = merged.setdefault(name, {"bins": {}})["bins"]
            for label, hits in p["bins"].items():
                bins[label] = bins.get(label, 0) + int(hits)
    return summarise({"coverpoints": merged, "runs": len(reports)})


def load_reports(paths) -> list[dict]:
    return [json.loads(Path(p).read_text()) for p in paths]


def format_summary(rep: dict, show_holes: int = 6) -> str:
    """Per coverpoint: bins hit/total, percent, and the first few bins never hit."""
    lines = [f"{'coverpoint':<20} {'hit/total':>10} {'percent':>8}  never hit"]
    for name, p in rep["coverpoints"].items():
        pct = 100.0 * p["hit"] / p["total"] if p["total"] else 0.0
        holes = [b for b, v in p["bins"].items() if v == 0]
        more = f" (+{len(holes) - show_holes} more)" if len(holes) > show_holes else ""
        lines.append(f"{name:<20} {p['hit']:>4}/{p['total']:<5} {pct:>7.1f}%  "
                     f"{', '.join(holes[:show_holes])}{more}")
    o = rep["overall"]
    lines.append(f"{'overall':<20} {o['hit']:>4}/{o['total']:<5} {o['percent']:>7.1f}%")
    return "\n".join(lines)
