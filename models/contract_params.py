"""Parameter defaults the contract derives from other parameters (shared/spec/ims-block.md).

The one place the testbench, the flows (imsflow), the DUT profile (dut/ims_top.toml) and the
register description's users take the MEM_MAX_ENTRIES default from. rtl/ims_top.v computes the
same rule in its constant function mem_max_entries_default; tests/impl/test_mem_default.py
checks that the RTL's elaborated default equals this function for several parameter pairs.
"""

from __future__ import annotations

# §7 Parameters: "NUM_SLOTS + MEM_MAX_ENTRIES ≤ 2^IRQ_INDEX_WIDTH and ≤ 32768; default: the
# largest power of two ≤ 2048 that keeps both limits, 0 if none".
MEM_MAX_ENTRIES_DEFAULT_CAP = 2048
INDEX_SPACE_CAP = 32768


def mem_max_entries_default(num_slots: int, irq_index_width: int) -> int:
    """The contract's §7 default of MEM_MAX_ENTRIES for this NUM_SLOTS and IRQ_INDEX_WIDTH."""
    limit = min(1 << irq_index_width, INDEX_SPACE_CAP)
    candidate = MEM_MAX_ENTRIES_DEFAULT_CAP
    while candidate and num_slots + candidate > limit:
        candidate //= 2
    return candidate


def with_derived_defaults(parameters: dict, num_slots_default: int = 2048,
                          irq_index_width_default: int = 16) -> dict:
    """`parameters` plus MEM_MAX_ENTRIES when absent, as ims_top elaborates it (the RTL default
    follows NUM_SLOTS and IRQ_INDEX_WIDTH, so a build that names neither still has one)."""
    out = dict(parameters)
    if "MEM_MAX_ENTRIES" not in out:
        out["MEM_MAX_ENTRIES"] = mem_max_entries_default(out.get("NUM_SLOTS", num_slots_default),
                                                         out.get("IRQ_INDEX_WIDTH", irq_index_width_default))
    return out
