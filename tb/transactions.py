"""Typed transactions of the IMS interfaces, shared by every bench (directed, generic, pyuvm).

Monitors publish these on analysis ports (pyuvm) or keep them in lists (directed bench);
the scoreboard dispatches on their type (ImsScoreboard.observe). `cycle` is the rising-edge
number of the handshake (tb.edge_sampler counts the edges; values are read just after the edge,
i.e. what the DUT's flops sampled).

Plain slotted dataclasses: the lean streaming monitor creates two of them per message at tens
of thousands of messages per second, and slots keep that cheap.
"""

from __future__ import annotations

from dataclasses import dataclass


# ------------------------------------------------------------------------ stimulus items
@dataclass(slots=True)
class Trigger:
    """One trigger to offer on the stream. pasid None: pasid_valid = 0, and the PASID bus
    carries `pasid_bits` (a don't-care the block must ignore; None leaves the bus as it was,
    which saves a handle write per trigger in streaming traffic)."""
    index: int
    pasid: int | None = None
    pasid_bits: int | None = 0


# ------------------------------------------------------------------- observed: triggers
@dataclass(slots=True)
class TriggerTxn:
    """A trigger accepted (valid and ready high) at edge `cycle`."""
    cycle: int
    index: int
    pasid: int | None


# ------------------------------------------------------------------- observed: messages
@dataclass(frozen=True)
class AwBeat:
    cycle: int
    addr: int
    awid: int
    awlen: int
    awsize: int
    awburst: int


@dataclass(frozen=True)
class WBeat:
    cycle: int
    data: int
    strb: int
    last: int


@dataclass(slots=True)
class MessageTxn:
    """One message write: its AW and W handshakes paired in order (both single-beat).
    `cycle` is the edge at which the pair became complete (the later handshake); `bresp` is
    what the memory target answers (known when the pair completes: the target decides it),
    `b_cycle` the B handshake edge once seen (None before)."""
    cycle: int
    addr: int
    data: int
    bresp: int | None = None
    aw_cycle: int = -1
    w_cycle: int = -1
    b_cycle: int | None = None


# -------------------------------------------------------------- observed: register port
@dataclass(slots=True)
class RegWriteTxn:
    """An AXI-Lite write request complete (AW and W handshakes) at edge `cycle`."""
    cycle: int
    offset: int
    data: int
    strb: int


@dataclass(slots=True)
class RegWriteRespTxn:
    """BVALID of an AXI-Lite write first seen at edge `cycle`."""
    cycle: int
    resp: int


@dataclass(slots=True)
class RegReadTxn:
    """An AXI-Lite read answered (R handshake) at edge `cycle`."""
    cycle: int
    offset: int
    data: int
    resp: int


@dataclass(slots=True)
class FetchTxn:
    """One memory-entry fetch on the read master (contract §7): its AR handshake at edge
    `ar_cycle` and its last R beat at edge `cycle` (the fetch's result is known from then on:
    the block cannot act on it earlier). `words` are the four beats' data, `resps` their
    RRESP; any RRESP != OKAY makes the whole fetch an error (§7 rule 2)."""
    cycle: int
    ar_cycle: int
    addr: int
    words: tuple
    resps: tuple

    @property
    def error(self) -> bool:
        return any(r != 0 for r in self.resps)


@dataclass(slots=True)
class ResetTxn:
    """Reset asserted: the DUT may lose what it owed."""
    cycle: int


OBSERVED = (TriggerTxn, MessageTxn, RegWriteTxn, RegWriteRespTxn, RegReadTxn, FetchTxn, ResetTxn)
