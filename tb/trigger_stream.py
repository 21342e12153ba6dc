"""The trigger stream (valid/ready with index, pasid_valid, pasid): bus, source and monitor.

Built the way cocotbext-axi builds its streams (define_stream): a bus object binds the
signals by name, a source drives queued items honouring ready, a monitor turns handshakes
into transactions. The names come from the DUT profile ([interfaces.trigger]), so the same
components serve every design. Used by the directed bench (tb/ims_tb.py), the generic suite,
the pyuvm TriggerAgent (tb/uvm/env.py) and the lean streaming pair (tb/lean_stream.py).

Both components are stepped once per clock edge by the bench's EdgeSampler (no coroutine of
their own): the monitor first (what was accepted at this edge), then the source (what to
offer next). VALID is never withdrawn before its handshake; idle cycles only delay the start
of the next trigger.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterable, Iterator

import cocotb.handle as _cocotb_handle
from cocotb.triggers import Event

from tb.transactions import Trigger, TriggerTxn

SIGNALS = ("valid", "ready", "index", "pasid_valid", "pasid")
DEFAULT_NAMES = {k: f"s_irq_{k}" for k in SIGNALS}


def fast_reader(handle) -> Callable[[], int]:
    """A zero-argument function returning the signal as an int.

    cocotb's `handle.value` builds a LogicArray per read; per-edge loops read several signals
    per cycle, so this asks the simulator for the bit string directly. X/Z bits raise
    ValueError (an unknown on a handshake signal is a DUT bug worth stopping for)."""
    raw = getattr(handle, "_handle", None)
    if raw is None or not hasattr(raw, "get_signal_val_binstr"):
        return lambda: int(handle.value)
    get = raw.get_signal_val_binstr
    return lambda: int(get(), 2)


def fast_writer(handle) -> Callable[[int], None]:
    """A one-argument function depositing an int on the signal.

    The write goes through cocotb's own write scheduling (`cocotb.handle._schedule_write`, the
    function `handle.value = v` ends in: it lands at the next ReadWrite phase, or at once when
    already in one, honouring COCOTB_TRUST_INERTIAL_WRITES), but skips the setter's per-call
    dispatch on the value's type and action, about half the cost of a write in a per-edge loop.
    Values that do not fit the signal raise ValueError, as the setter does. Anything else than
    a plain logic signal (or another cocotb without that function) falls back to the setter."""
    raw = getattr(handle, "_handle", None)
    schedule = getattr(_cocotb_handle, "_schedule_write", None)
    deposit = getattr(getattr(_cocotb_handle, "_GPISetAction", None), "DEPOSIT", None)
    width = len(handle) if isinstance(handle, (_cocotb_handle.LogicObject, _cocotb_handle._LogicArrayObjectBase)) else 0
    if raw is None or schedule is None or deposit is None or not 1 <= width <= 32:
        def write_setter(v: int) -> None:
            handle.value = v
        return write_setter
    if width == 1:
        set_bin = raw.set_signal_val_binstr
        bits = ("0", "1")

        def write_bit(v: int) -> None:
            if v != 0 and v != 1:
                raise ValueError(f"{handle._path}: {v!r} does not fit 1 bit")
            schedule(handle, set_bin, deposit, bits[v])
        return write_bit
    set_int, top = raw.set_signal_val_int, (1 << width) - 1

    def write_int(v: int) -> None:
        if not 0 <= v <= top:
            raise ValueError(f"{handle._path}: {v!r} does not fit {width} bits")
        schedule(handle, set_int, deposit, v)
    return write_int


def bit_or_minus1(handle) -> Callable[[], int]:
    """0/1 for a 1-bit signal, -1 for X/Z (callers report unknowns instead of stopping)."""
    raw = getattr(handle, "_handle", None)
    if raw is None or not hasattr(raw, "get_signal_val_binstr"):
        def read():
            try:
                return int(handle.value)
            except ValueError:
                return -1
        return read
    get = raw.get_signal_val_binstr

    def read_raw():
        s = get()
        return 1 if s == "1" else 0 if s == "0" else -1
    return read_raw


class TriggerBus:
    """The stream's signal handles, bound by name (profile [interfaces.trigger])."""

    def __init__(self, dut, names: dict[str, str] | None = None) -> None:
        n = dict(DEFAULT_NAMES, **(names or {}))
        self.names = n
        for k in SIGNALS:
            setattr(self, k, getattr(dut, n[k]))

    @classmethod
    def from_profile(cls, dut, profile) -> "TriggerBus":
        return cls(dut, profile.trigger)


class TriggerSource:
    """Offers queued triggers on the bus; one call of `drive()` per edge.

    Items: `Trigger` (or (index, pasid) tuples) and None for one explicit idle cycle. An
    optional idle generator (cocotbext-axi's pause generator idiom) inserts idle cycles before
    a trigger is taken from the queue. Handle writes happen only when a value changes (a
    per-edge loop pays for every write)."""

    def __init__(self, bus: TriggerBus) -> None:
        self.bus = bus
        self.queue: deque = deque()
        self.idle_generator: Iterator[int] | None = None
        self.presenting: Trigger | None = None   # the trigger on offer (VALID high)
        self.offered = 0
        self._done = Event()
        self._done.set()
        self.valid = self._index = self._pv = self._pasid = None   # as driven (VALID, payload)
        self._w_valid, self._w_index, self._w_pv, self._w_pasid = (
            fast_writer(bus.valid), fast_writer(bus.index), fast_writer(bus.pasid_valid), fast_writer(bus.pasid))
        self.idle_outputs()

    # -- the stream's payload, written on change only
    def idle_outputs(self) -> None:
        self._w_valid(0)
        self._w_index(0)
        self._w_pv(0)
        self._w_pasid(0)
        self.valid = self._index = self._pv = self._pasid = 0

    def present(self, t: Trigger) -> None:
        """Put `t` on the bus with VALID high (also used by tests that need an edge-exact offer)."""
        self.presenting = t
        if t.index != self._index:
            self._w_index(t.index)
            self._index = t.index
        pv = 0 if t.pasid is None else 1
        if pv != self._pv:
            self._w_pv(pv)
            self._pv = pv
        pasid = t.pasid if pv else t.pasid_bits
        if pasid is not None and pasid != self._pasid:
            self._w_pasid(pasid)
            self._pasid = pasid
        if not self.valid:
            self._w_valid(1)
            self.valid = 1

    def _withdraw(self) -> None:
        if self.valid:
            self._w_valid(0)
            self.valid = 0

    # -- queue
    def send(self, items: Trigger | Iterable) -> None:
        if isinstance(items, Trigger):
            items = [items]
        for it in items:
            if it is not None and not isinstance(it, Trigger):
                it = Trigger(*it)
            self.queue.append(it)
        self._done.clear()

    def send_burst(self, triggers: Iterable, gaps: Iterable[int]) -> None:
        """triggers[k] offered after gaps[k] idle cycles."""
        items: list = []
        for t, gap in zip(triggers, gaps):
            items.extend([None] * gap)
            items.append(t)
        self.send(items)

    async def wait_idle(self) -> None:
        """Returns when every queued trigger has been accepted."""
        if not self.idle():
            await self._done.wait()

    def idle(self) -> bool:
        return not self.queue and self.presenting is None

    def flush(self) -> None:
        """Drop what is queued or offered and drive the idle values."""
        self.queue.clear()
        self.presenting = None
        self.idle_outputs()
        self._done.set()

    # -- per edge
    def drive(self, accepted: bool, in_reset: bool) -> None:
        """After the edge: `accepted` says the offered trigger was taken at this edge."""
        if in_reset:
            # Triggers not yet accepted are lost to the reset; the sender decides what to resend.
            if self.presenting is not None or self.valid:
                self.presenting = None
                self.idle_outputs()
            return
        if accepted and self.presenting is not None:
            self.presenting = None
            self.offered += 1
        if self.presenting is not None:
            return
        queue = self.queue
        while queue:
            if queue[0] is None:         # an explicit idle cycle
                queue.popleft()
                self._withdraw()
                return
            if self.idle_generator is not None and next(self.idle_generator):
                self._withdraw()
                return
            self.present(queue.popleft())
            return
        self._withdraw()
        if not self._done.is_set():
            self._done.set()


class TriggerMonitor:
    """Turns trigger handshakes into TriggerTxn; one call of `sample()` per edge.

    Reads the pins, so triggers driven by anything (the source, a lean driver, a test's raw
    drive) are recorded the same way. `publish` receives each transaction; `stall_cycles`
    counts edges with VALID high and READY low."""

    def __init__(self, bus: TriggerBus, publish: Callable[[TriggerTxn], None]) -> None:
        self.bus = bus
        self.publish = publish
        self.stall_cycles = 0
        self._valid, self._ready = bit_or_minus1(bus.valid), bit_or_minus1(bus.ready)
        self._pv = bit_or_minus1(bus.pasid_valid)

    def sample(self, cycle: int, in_reset: bool) -> bool:
        """True if a trigger was accepted at this edge."""
        valid, ready = self._valid(), self._ready()
        if valid == 1 and ready == 1:
            if in_reset:
                return False
            b = self.bus
            pasid = int(b.pasid.value) if self._pv() == 1 else None
            self.publish(TriggerTxn(cycle, int(b.index.value), pasid))
            return True
        if valid == 1:
            self.stall_cycles += 1
        return False


class TriggerPort:
    """Source and monitor of one stream plus the list of accepted triggers: the stream as the
    directed bench and the generic suite use it. `edge()` is its per-edge step."""

    def __init__(self, bus: TriggerBus) -> None:
        self.bus = bus
        self.accepted: list[TriggerTxn] = []
        self.source = TriggerSource(bus)
        self.monitor = TriggerMonitor(bus, self.accepted.append)

    def edge(self, cycle: int, in_reset: bool) -> None:
        self.source.drive(self.monitor.sample(cycle, in_reset), in_reset)

    @property
    def stall_cycles(self) -> int:
        return self.monitor.stall_cycles

    @property
    def idle_generator(self):
        return self.source.idle_generator

    @idle_generator.setter
    def idle_generator(self, gen) -> None:
        self.source.idle_generator = gen

    @property
    def presenting(self) -> Trigger | None:
        return self.source.presenting

    def send(self, triggers) -> None:
        self.source.send(triggers)

    def idle(self) -> bool:
        return self.source.idle()

    def flush(self) -> None:
        self.source.flush()

    def present(self, t: Trigger) -> None:
        self.source.present(t)
