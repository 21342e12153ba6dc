"""The AXI4 message-write port (m_axi_* of the contract, [interfaces.msg] of a profile):
the one message monitor and the one memory target every bench uses.

* Rules (contract §1 and AXI): `aw_beat_problems`, `w_beat_problems`, `hold_problems`. Pure
  functions, so tests/impl/test_directed.py shows without a simulator that each can fail; the lean
  streaming monitor (tb/lean_stream.py) applies the same functions to the beats it samples.
* `MessageMonitor`: samples AW/W/B each edge (stepped by the bench's EdgeSampler), records
  every handshake with its edge number, pairs AW and W into MessageTxn in order, checks every
  beat and handshake rule, and collects violations instead of raising so a report can list all
  of them with their cycles. Optionally publishes each message and counts backpressure per
  coverage window.
* `MemoryTarget`: the host memory behind the port. It chooses each write's BRESP (per target
  address, or a seeded error rate) and the ready/valid pacing of its channels. Its functional
  slave is cocotbext-axi's AxiSlaveWrite; the lean streaming driver asks it for BRESPs too, so
  write-response errors are injected one way. `rresp_for`/`read_latency` are the hook an AXI
  read target (memory-resident entries, tb/mem_read_target.py) takes its answers from.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections import deque
from typing import Callable, Iterator

from cocotbext.axi import AxiResp, AxiSlaveWrite, AxiWriteBus

from tb.transactions import AwBeat, MessageTxn, WBeat

OKAY, SLVERR, DECERR = int(AxiResp.OKAY), int(AxiResp.SLVERR), int(AxiResp.DECERR)

# Every message is one beat (§1).
MSG_AWLEN, MSG_AWSIZE, MSG_AWBURST_INCR, MSG_WSTRB = 0, 2, 1, 0xF


def int_or_minus1(signal) -> int:
    """A signal's value as an int; X or Z read as -1 so callers can flag them."""
    try:
        return int(signal.value)
    except ValueError:
        return -1


# ------------------------------------------------------------------------------------ rules
def aw_beat_problems(aw: AwBeat) -> list[str]:
    """Contract §1 rules for one AW handshake of a message."""
    problems = []
    if aw.awlen != MSG_AWLEN:
        problems.append(f"awlen={aw.awlen}, contract says {MSG_AWLEN}")
    if aw.awsize != MSG_AWSIZE:
        problems.append(f"awsize={aw.awsize}, contract says {MSG_AWSIZE}")
    if aw.awburst != MSG_AWBURST_INCR:
        problems.append(f"awburst={aw.awburst}, contract says INCR ({MSG_AWBURST_INCR})")
    if aw.addr & 3:
        problems.append(f"awaddr=0x{aw.addr:x} not dword aligned (ADDR_LO bits 1:0 read 0)")
    return [f"cycle {aw.cycle}: AW {p}" for p in problems]


def w_beat_problems(w: WBeat) -> list[str]:
    """Contract §1 rules for one W handshake of a message."""
    problems = []
    if w.strb != MSG_WSTRB:
        problems.append(f"wstrb=0x{w.strb:x}, contract says 0x{MSG_WSTRB:x}")
    if w.last != 1:
        problems.append(f"wlast={w.last}, contract says 1")
    return [f"cycle {w.cycle}: W {p}" for p in problems]


def hold_problems(channel: str, cycle: int, prev_payload: tuple, valid: int, payload: tuple) -> list[str]:
    """AXI: once VALID is high without READY, VALID stays high and the payload stays stable."""
    if valid != 1:
        return [f"cycle {cycle}: {channel}VALID dropped before its handshake"]
    if payload != prev_payload:
        return [f"cycle {cycle}: {channel} payload changed while stalled "
                f"({_fmt_payload(prev_payload)} -> {_fmt_payload(payload)})"]
    return []


def _fmt_payload(p: tuple) -> str:
    return "(" + ", ".join(f"0x{v:x}" if isinstance(v, int) and v >= 0 else str(v) for v in p) + ")"


# ---------------------------------------------------------------------------- memory target
class MemoryTarget:
    """Chooses BRESP per message and the pacing of the memory side; see the module doc.

    BRESP: `respond(addr, resp)` answers every write to `addr` with `resp` (directed tests);
    `error_rate` answers a seeded random share with SLVERR (the pyuvm environment). Each
    message's answer is decided once, by whichever of the monitor (pairing AW and W) and the
    slave (completing the burst) meets it first, and the other takes the same answer, so the
    scoreboard learns a message's BRESP when the message completes, not when B is sent."""

    def __init__(self, error_rate: float = 0.0, rng: random.Random | None = None,
                 aw_ready: list[int] | None = None, w_ready: list[int] | None = None) -> None:
        self.bresp_by_addr: dict[int, int] = {}
        self.error_rate = error_rate
        self.rng = rng or random.Random(0)
        self.aw_ready = [int(bool(x)) for x in (aw_ready or [1])]
        self.w_ready = [int(bool(x)) for x in (w_ready or [1])]
        # Hooks for a read target (memory-resident entries): answer and delay of a read.
        self.rresp_by_addr: dict[int, int] = {}
        self.read_latency: int = 0
        self.writes: list[tuple[int, bytes]] = []
        self.errors_answered = 0
        self._pending: tuple[dict, dict] = ({}, {})     # [side]: addr -> answers the other side chose
        self.slave: AxiSlaveWrite | None = None

    # -- responses
    def respond(self, address: int, bresp: int) -> None:
        """Answer every write to `address` with `bresp` (OKAY removes the rule)."""
        if bresp == OKAY:
            self.bresp_by_addr.pop(address, None)
        else:
            self.bresp_by_addr[address] = bresp

    def choose_bresp(self, address: int) -> int:
        """A fresh decision for one message (called once per message, in message order)."""
        resp = self.bresp_by_addr.get(address, OKAY)
        if resp == OKAY and self.error_rate and self.rng.random() < self.error_rate:
            resp = SLVERR
        return resp

    def bresp_for(self, side: int, address: int) -> int:
        """The answer of the next message to `address` as seen from `side` (0 monitor, 1 slave)."""
        q = self._pending[side].get(address)
        if q:
            return q.popleft()
        resp = self.choose_bresp(address)
        self._pending[1 - side].setdefault(address, deque()).append(resp)
        return resp

    def rresp_for(self, address: int) -> int:
        return self.rresp_by_addr.get(address, OKAY)

    def reset(self) -> None:
        for p in self._pending:
            p.clear()

    # -- the functional slave (cocotbext-axi)
    def attach(self, dut, prefix: str, clk, rst, reset_active_level: bool = True) -> "ChosenRespAxiSlaveWrite":
        self.slave = ChosenRespAxiSlaveWrite(AxiWriteBus.from_prefix(dut, prefix), clk, rst,
                                             reset_active_level=reset_active_level, target=self)
        self.slave.log.setLevel(logging.WARNING)
        if self.aw_ready != [1]:
            self.slave.aw_channel.set_pause_generator(itertools.cycle([not r for r in self.aw_ready]))
        if self.w_ready != [1]:
            self.slave.w_channel.set_pause_generator(itertools.cycle([not r for r in self.w_ready]))
        return self.slave

    def set_backpressure(self, generators: list[Iterator[int]] | None) -> None:
        """Pause generators for AW, W (ready low) and B (valid delayed); None: never pause."""
        chans = (self.slave.aw_channel, self.slave.w_channel, self.slave.b_channel)
        for k, ch in enumerate(chans):
            if generators is None:
                ch.clear_pause_generator()
            else:
                ch.set_pause_generator(generators[k])

    async def write(self, address: int, data: bytes) -> int:
        """AxiSlaveWrite's target: record the write, return its BRESP."""
        self.writes.append((address, bytes(data)))
        resp = self.bresp_for(1, address)
        if resp != OKAY:
            self.errors_answered += 1
        return resp


class ChosenRespAxiSlaveWrite(AxiSlaveWrite):
    """AxiSlaveWrite whose target decides each burst's BRESP.

    cocotbext-axi 0.1.28's slave only answers SLVERR, and only when the target raises; the
    burst's response object is built inside `_process_write`. So `_write` remembers the
    target's answer and the B channel's `send` is wrapped to apply it to the next response
    (bursts are processed one at a time, so "next" is this burst's).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._burst_resp = OKAY
        plain_send = self.b_channel.send

        async def send_with_chosen_resp(b):
            if self._burst_resp != OKAY:
                b.bresp = self._burst_resp
            self._burst_resp = OKAY
            await plain_send(b)

        self.b_channel.send = send_with_chosen_resp

    async def _write(self, address, data):
        resp = await self.target.write(address, data)
        if resp and resp > self._burst_resp:
            self._burst_resp = int(resp)


# --------------------------------------------------------------------------- message monitor
class MessageMonitor:
    """Samples the message port each edge; see the module doc.

    `publish(MessageTxn)` is called when AW and W pair up (the BRESP the target chose is in
    it); `on_backpressure(aw_stall, aw_valid, w_stall, w_valid)` once per `window` edges."""

    def __init__(self, dut, prefix: str = "m_axi", target: MemoryTarget | None = None,
                 publish: Callable[[MessageTxn], None] | None = None) -> None:
        self.dut = dut
        # Handles looked up once (the monitor runs every edge); awid is optional in a design.
        sig = lambda n: getattr(dut, f"{prefix}_{n}")
        self._awaddr, self._awlen, self._awsize, self._awburst = (sig("awaddr"), sig("awlen"),
                                                                  sig("awsize"), sig("awburst"))
        self._awid = getattr(dut, f"{prefix}_awid", None)
        self._awvalid, self._awready, self._wvalid, self._wready = (sig("awvalid"), sig("awready"),
                                                                    sig("wvalid"), sig("wready"))
        self._wdata, self._wstrb, self._wlast = sig("wdata"), sig("wstrb"), sig("wlast")
        self._bvalid, self._bready, self._bresp = sig("bvalid"), sig("bready"), sig("bresp")
        self.prefix = prefix
        self.target = target
        self.publish = publish
        self.on_backpressure: Callable[[int, int, int, int], None] | None = None
        self.window = 256
        self.aws: list[AwBeat] = []
        self.ws: list[WBeat] = []
        self.messages: list[MessageTxn] = []
        self.bresps: list[tuple[int, int]] = []
        self.aw_present_cycles: list[int] = []   # first edge each AW was seen valid
        self.violations: list[str] = []
        self.last_message_cycle = 0
        self._bp = [0, 0, 0, 0]
        self._aw_stalled: tuple | None = None
        self._w_stalled: tuple | None = None
        self._aw_presenting = False

    def clear(self) -> None:
        """Forget the history (after a reset); the target forgets its undelivered answers."""
        self.aws.clear()
        self.ws.clear()
        self.messages.clear()
        self.bresps.clear()
        self.aw_present_cycles.clear()
        self._aw_stalled = self._w_stalled = None
        self._aw_presenting = False
        if self.target is not None:
            self.target.reset()

    def _aw_payload(self) -> tuple:
        return (int_or_minus1(self._awaddr), int_or_minus1(self._awid) if self._awid is not None else 0, int_or_minus1(self._awlen),
                int_or_minus1(self._awsize), int_or_minus1(self._awburst))

    def _w_payload(self) -> tuple:
        return (int_or_minus1(self._wdata), int_or_minus1(self._wstrb), int_or_minus1(self._wlast))

    def sample(self, cycle: int, in_reset: bool) -> None:
        awvalid, awready = int_or_minus1(self._awvalid), int_or_minus1(self._awready)
        wvalid, wready = int_or_minus1(self._wvalid), int_or_minus1(self._wready)
        bvalid, bready = int_or_minus1(self._bvalid), int_or_minus1(self._bready)
        if in_reset:
            self._aw_stalled = self._w_stalled = None
            self._aw_presenting = False
            return
        for name, v in ((f"{self.prefix}_awvalid", awvalid), (f"{self.prefix}_wvalid", wvalid),
                        (f"{self.prefix}_bready", bready)):
            if v < 0:
                self.violations.append(f"cycle {cycle}: {name} is X/Z outside reset")
        if self.on_backpressure is not None:
            bp = self._bp
            if awvalid == 1:
                bp[1] += 1
                if awready != 1:
                    bp[0] += 1
            if wvalid == 1:
                bp[3] += 1
                if wready != 1:
                    bp[2] += 1
            if not cycle % self.window:
                if bp[1] or bp[3]:
                    self.on_backpressure(*bp)
                bp[:] = [0, 0, 0, 0]
        # AW channel
        if self._aw_stalled is not None:
            self.violations += hold_problems("AW", cycle, self._aw_stalled, awvalid, self._aw_payload())
        if awvalid == 1 and not self._aw_presenting:
            self.aw_present_cycles.append(cycle)
        if awvalid == 1 and awready == 1:
            aw = AwBeat(cycle, *self._aw_payload())
            self.aws.append(aw)
            self.violations += aw_beat_problems(aw)
            self._aw_stalled = None
            self._aw_presenting = False
        elif awvalid == 1:
            self._aw_stalled = self._aw_payload()
            self._aw_presenting = True
        else:
            self._aw_stalled = None
            self._aw_presenting = False
        # W channel
        if self._w_stalled is not None:
            self.violations += hold_problems("W", cycle, self._w_stalled, wvalid, self._w_payload())
        if wvalid == 1 and wready == 1:
            w = WBeat(cycle, *self._w_payload())
            self.ws.append(w)
            self.violations += w_beat_problems(w)
            self._w_stalled = None
        elif wvalid == 1:
            self._w_stalled = self._w_payload()
        else:
            self._w_stalled = None
        while len(self.messages) < min(len(self.aws), len(self.ws)):
            k = len(self.messages)
            aw, w = self.aws[k], self.ws[k]
            bresp = self.target.bresp_for(0, aw.addr) if self.target is not None else None
            m = MessageTxn(cycle, aw.addr, w.data, bresp, aw.cycle, w.cycle)
            self.messages.append(m)
            self.last_message_cycle = cycle
            if self.publish is not None:
                self.publish(m)
        # B channel: responses are matched to messages in order (one beat each).
        if bvalid == 1 and bready == 1:
            resp = int_or_minus1(self._bresp)
            self.bresps.append((cycle, resp))
            k = len(self.bresps) - 1
            if k >= len(self.messages):
                self.violations.append(f"cycle {cycle}: B handshake without a completed message "
                                       "(the memory model answered early: TB bug)")
            else:
                m = self.messages[k]
                m.b_cycle = cycle
                if m.bresp is None:
                    m.bresp = resp
                elif m.bresp != resp:
                    self.violations.append(f"cycle {cycle}: BRESP {resp} for message {k} (addr 0x{m.addr:x}), "
                                           f"the memory target chose {m.bresp} (TB bug)")
