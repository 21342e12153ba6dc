"""What the generic suite needs to know about any IMS design, from its DUT profile.

* `SlotLayout`: where ADDR, DATA, MASK, PASID_EN, PASID and the pending bit live in a slot
  (the profile names "REG.FIELD" in the description; the map gives offsets and positions), and
  how to turn (address, data, mask, PASID) into the words to write.
* `NotApplicable`: checks of features the design lacks. Each is logged when met and written to
  `not_applicable.jsonl` in the run directory, so every summary lists it; none passes silently.

Plain Python, no simulator: tests/generic/test_generic_layout.py checks it on both profiles.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from tb.dut_profile import FEATURES, Profile, resolve, resolve_slot

NA_FILE = "not_applicable.jsonl"


@dataclass(frozen=True)
class SlotField:
    register: str      # register name inside the slot
    offset: int        # its byte offset inside the slot
    lsb: int
    width: int
    mask: int          # the field's bits in its register word

    def put(self, value: int) -> int:
        return (int(value) << self.lsb) & self.mask

    def get(self, word: int) -> int:
        return (int(word) & self.mask) >> self.lsb


class SlotLayout:
    """A design's slot, from its profile and compiled register map."""

    def __init__(self, profile: Profile, regmap) -> None:
        self.profile, self.map = profile, regmap
        self.fields: dict[str, SlotField] = {}
        for key in ("addr_lo", "addr_hi", "data", "mask", "pending", "pasid_en", "pasid"):
            if key in profile.slot:
                reg, fld = resolve_slot(regmap, profile.slot[key])
                self.fields[key] = SlotField(reg.name, int(reg), fld.lsb, fld.width, int(fld))
        self.registers = dict(regmap.slot.registers)   # name -> layout (offset in the slot)
        self.pasid_width = self.fields["pasid"].width

    def __getitem__(self, key: str) -> SlotField:
        return self.fields[key]

    def words(self, addr: int, data: int, mask: bool, pasid_en: bool = False, pasid: int = 0) -> dict[str, int]:
        """Register name -> word that programs the slot (fields sharing a register are merged;
        every other bit of a written register is 0). The address fields hold the address bits
        at their own positions: ADDR_LO's field [31:2] takes bits 31:2, ADDR_HI bits 63:32."""
        out: dict[str, int] = {}

        def add(key, value):
            f = self.fields[key]
            out[f.register] = out.get(f.register, 0) | f.put(value)

        lo = self.fields["addr_lo"]
        add("addr_lo", (addr & 0xFFFFFFFF) >> lo.lsb)
        add("addr_hi", addr >> 32)
        add("data", data)
        add("mask", 1 if mask else 0)
        add("pasid_en", 1 if pasid_en else 0)
        add("pasid", pasid)
        return out

    def control_register(self) -> str:
        """The register holding MASK (written last when programming, first when masking)."""
        return self.fields["mask"].register

    def message(self, addr: int, data: int) -> tuple[int, int]:
        """The (address, data) the block must write for a slot programmed with addr/data:
        address bits below the ADDR_LO field read 0 (dword aligned)."""
        lo = self.fields["addr_lo"]
        keep = lo.mask | (0xFFFFFFFF << 32)   # the address bits the slot stores
        return addr & keep & 0xFFFFFFFFFFFFFFFF, data & ((1 << self.fields["data"].width) - 1)


def register(profile: Profile, regmap, key: str):
    """The Register or Field a profile [registers] key names, in this build's map."""
    return resolve(regmap, profile.registers[key])


class NotApplicable:
    """Records the checks a design cannot take; `summary()` lists them."""

    def __init__(self, profile: Profile, test: str, log: logging.Logger | None = None,
                 out_dir: Path | None = None) -> None:
        self.profile, self.test = profile, test
        self.log = log or logging.getLogger("cocotb.na")
        self.out = (out_dir or Path.cwd()) / NA_FILE
        self.items: list[dict] = []

    def has(self, feature: str) -> bool:
        return self.profile.has(feature)

    def skip(self, check: str, feature: str | None = None, reason: str | None = None) -> None:
        why = reason or f"{self.profile.name} has no {FEATURES[feature]} (features.{feature} = false)"
        item = {"test": self.test, "check": check, "feature": feature, "reason": why}
        self.items.append(item)
        self.log.warning("NOT APPLICABLE: %s: %s", check, why)
        with open(self.out, "a") as fh:
            fh.write(json.dumps(item) + "\n")

    def when(self, feature: str, check: str) -> bool:
        """True if the design has `feature`; else the check is recorded as not applicable."""
        if self.has(feature):
            return True
        self.skip(check, feature)
        return False


def read_not_applicable(run_dir: Path) -> list[dict]:
    path = Path(run_dir) / NA_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def format_not_applicable(items: list[dict]) -> str:
    """One line per distinct check (the tests that met it in brackets)."""
    seen: dict[tuple, list[str]] = {}
    for it in items:
        seen.setdefault((it["check"], it["reason"]), []).append(it["test"])
    lines = [f"  n/a  {check}: {reason} [{', '.join(sorted(set(tests)))}]" for (check, reason), tests in seen.items()]
    return "\n".join(lines)
