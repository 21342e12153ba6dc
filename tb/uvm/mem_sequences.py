"""Sequences of the pyuvm environment for memory-resident entries (contract §7).

MemBaseSequence extends the base virtual sequence's configuration: after the on-device slots
it programs the queue-memory IMS domain (platform-models.md §7: MEM_BASE, MEM_ENTRIES through
the Linux model's QueueMemImsChip, entries in the platform's host memory), hands that memory
to the memory agent's read target and to the scoreboard, and allocates + requests irqs on
it. Each such irq is an Irq whose `slot` is its trigger index NUM_SLOTS + j, so the random
traffic helpers of ImsBaseSequence fire slots and entries alike; `dom(h)` is the domain an
irq belongs to (mask/unmask/free go through the right chip: the memory chip edits the entry
in memory and writes MEM_INVAL(j) under the irq bus lock).

Every sequence records what it exercised in `self.exercised` (counts) and reports
NOT_EXERCISED when a part it exists for did not happen, so a test cannot pass vacuously.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ClockCycles

from models.regmap import CTRL_ENABLE, CTRL_FUNC_MASK, REG_CTRL
from tb.uvm.sequences import ImsBaseSequence, Irq


class MemBaseSequence(ImsBaseSequence):
    num_irqs = 4             # on-device slots
    num_mem_irqs = 8         # memory entries
    mem_entries = 16         # MEM_ENTRIES programmed (M)
    pasid_fraction = 0.5

    async def configure(self):
        await super().configure()
        env, cfg = self.env, self.cfg
        assert cfg.mem_max_entries >= self.mem_entries, (
            f"{cfg.test} needs a build with MEM_MAX_ENTRIES >= {self.mem_entries} "
            f"(run has {cfg.mem_max_entries}; IMS_PARAMS={cfg.params})")
        memory = self.platform.memory
        env.sb.attach_memory(memory)
        env.mem_agent.serve_from(memory)
        self.mem = await self.platform.create_ims_mem_domain(env.regs, self.mem_entries, cfg.requester_id,
                                                             num_slots=cfg.num_slots)
        self.mem_irq_numbers: set[int] = set()
        for _ in range(self.num_mem_irqs):
            await self.alloc_mem_irq(with_pasid=self.rng.random() < self.pasid_fraction)
        self.exercised: dict[str, int] = {}

    def note(self, what: str, n: int = 1) -> None:
        self.exercised[what] = self.exercised.get(what, 0) + n

    def dom(self, h: Irq):
        return self.mem if h.irq in self.mem_irq_numbers else self.ims

    def entry_irqs(self) -> list[Irq]:
        return [h for h in self.irqs.values() if h.irq in self.mem_irq_numbers]

    async def alloc_mem_irq(self, with_pasid: bool = True, cpu: int | None = None) -> Irq:
        pasid = None
        if with_pasid:
            pasid = self.next_pasid
            self.next_pasid += 1
        j, irq = await self.mem.alloc(cookie=pasid)
        cpu = self.rng.randrange(self.cfg.num_cpus) if cpu is None else cpu
        await self.mem.request(irq, affinity={cpu})
        index = self.cfg.num_slots + j
        self.env.sb.bind(index, irq)
        self.mem_irq_numbers.add(irq)
        h = self.irqs[irq] = Irq(index, irq, pasid)
        return h

    async def free_mem_irq(self, h: Irq) -> None:
        """free_irq + free of an entry irq; then MEM_INVAL(j) with CLEAR_PENDING so a reused
        entry never fires for its previous owner (the §7 counterpart of the slot clear)."""
        await self.mem.mask(h.irq)
        await self.quiesce_slot(h.slot)
        await self.mem.free(h.irq)
        dev = self.env.sb.model
        j = h.slot - self.cfg.num_slots
        await self.env.regs.write32(dev.reg_mem_inval, j | dev._inval_clear)
        self.env.sb.unbind(h.slot)
        self.mem_irq_numbers.discard(h.irq)
        del self.irqs[h.irq]

    async def body(self):
        await super().body()
        self.check_exercised()

    def check_exercised(self) -> None:
        sb = self.env.sb
        for what, need in self.needs().items():
            if self.exercised.get(what, 0) < need:
                sb.error("NOT_EXERCISED", self.env.cycle,
                         f"{type(self).__name__}: {what} happened {self.exercised.get(what, 0)} times, "
                         f"the sequence exists for at least {need}")

    async def reexaminations_done(self, max_cycles: int = 2000) -> None:
        """Wait until the re-examinations the last CTRL write asked for have been fetched and
        judged. The scoreboard judges a re-examination with the function state at its fetch's
        last beat (DECIDE_SLACK_CYCLES is for triggers only), so a storm must not flip
        FUNC_MASK again while one is in flight."""
        env = self.env
        for _ in range(max_cycles // 8):
            env.flush()
            if not any(w.reexams for w in env.sb.worlds):
                await ClockCycles(env.dut.clk, 8)
                return
            await ClockCycles(env.dut.clk, 8)
        env.sb.error("REEXAMINATION_MISSING", env.cycle,
                     f"re-examinations still without a fetch {max_cycles} cycles after the CTRL write")

    def needs(self) -> dict[str, int]:
        """What the sequence must have exercised (name -> minimum count), from the scoreboard's
        view at the end; subclasses add their own."""
        s = self.env.sb.stats
        self.exercised["entry messages explained"] = s.explained["entry"] + s.explained["entry_replay"]
        self.exercised["slot messages explained"] = s.explained["slot"] + s.explained["slot_replay"]
        self.exercised["fetches"] = s.fetches
        return {"entry messages explained": 20, "fetches": 1}


class MemMixedSequence(MemBaseSequence):
    """Slots and entries mixed: random legit triggers over both kinds, a few out-of-range and
    wrong-PASID ones, under the test's read latency, AR/R pauses and write backpressure."""
    num_irqs = 6
    num_mem_irqs = 10
    total = 300

    async def traffic(self):
        await self.stream(self.total, extra_range=0.02, wrong_pasid=0.03)

    def needs(self):
        need = super().needs()
        need.update({"slot messages explained": 30, "entry messages explained": 80})
        return need


class MemChurnSequence(MemBaseSequence):
    """Entry churn with invalidations: while traffic runs, the driver masks and unmasks entry
    irqs (the chip rewrites CTRL in memory and writes MEM_INVAL(j): stale-copy windows, and
    re-examination of entries pended while masked), and frees + reallocates entries (the
    shutdown zeroes the entry, the new irq writes a new message into it)."""
    num_irqs = 2
    num_mem_irqs = 8
    rounds = 3

    async def traffic(self):
        clk = self.env.dut.clk
        for _ in range(self.rounds):
            task = cocotb.start_soon(self.stream(60, burst=12))
            for _ in range(3):
                h = self.rng.choice(self.entry_irqs())
                await self.mem.mask(h.irq)
                self.note("entry masked")
                await self.send([self.legit_trigger(h)] * 2)      # pends in the masked entry
                await ClockCycles(clk, self.rng.randint(0, 20))
                await self.mem.unmask(h.irq)                      # MEM_INVAL(j): re-examination
                self.note("entry unmasked")
                await self.env.settle_histories()
            await task
            victim = self.rng.choice(self.entry_irqs())
            await self.mem.mask(victim.irq)
            await self.send([self.legit_trigger(victim)] * 2)
            await self.free_mem_irq(victim)
            await self.alloc_mem_irq(with_pasid=self.rng.random() < self.pasid_fraction)
            self.note("entry freed and reallocated")
        await self.stream(60)

    def needs(self):
        need = super().needs()
        self.exercised["entry replays"] = self.env.sb.stats.explained["entry_replay"]
        need.update({"entry masked": self.rounds, "entry freed and reallocated": self.rounds,
                     "entry replays": 1})
        return need


class MemFetchErrorSequence(MemBaseSequence):
    """Fetch errors: two entries' memory fails on one beat (per-entry: every fetch of them
    is answered SLVERR) while the test's per-fetch injection fails a share of all fetches;
    traffic over everything. Every such trigger must be dropped (no message, no pending bit,
    CNT_FETCH_ERR), the others delivered."""
    num_irqs = 2
    num_mem_irqs = 8
    total = 300

    async def pre_traffic(self):
        self.failing = self.rng.sample(self.entry_irqs(), 2)
        chip = self.mem.chip
        for h in self.failing:
            j = h.slot - self.cfg.num_slots
            beat = self.rng.randrange(4)
            self.platform.memory.fail_reads(chip.entry_addr(j) + 4 * beat, 4)

    async def traffic(self):
        await self.stream(self.total)

    def needs(self):
        need = super().needs()
        sb = self.env.sb
        self.exercised["fetch errors"] = sb.stats.fetch_errors
        self.exercised["triggers dropped by a fetch error"] = sb.outcome_count("DROP_FETCH")
        self.exercised["per-fetch injected errors"] = self.env.mem_agent.fetch_target.injected
        need.update({"fetch errors": 5, "triggers dropped by a fetch error": 5,
                     "per-fetch injected errors": 1})
        return need


class MemFuncMaskStormSequence(MemBaseSequence):
    """FUNC_MASK storm with entries pending: traffic (mostly entries) while CTRL toggles
    FUNC_MASK (and now and then ENABLE); triggers pend under FUNC_MASK, and each clear (or
    ENABLE set) re-examines every pending entry with a fresh fetch (§7 rule 4)."""
    num_irqs = 2
    num_mem_irqs = 8
    total = 2000            # upper bound: the traffic stops after the storm's rounds
    rounds = 6

    async def traffic(self):
        regs = self.env.regs
        clk = self.env.dut.clk
        task = cocotb.start_soon(self.stream(self.total, burst=16))
        for _ in range(self.rounds):
            value = self.rng.choice((CTRL_ENABLE | CTRL_FUNC_MASK, CTRL_ENABLE | CTRL_FUNC_MASK, 0))
            await regs.write32(REG_CTRL, value)
            await ClockCycles(clk, self.rng.randint(5, 40))
            await regs.write32(REG_CTRL, CTRL_ENABLE)
            self.note("CTRL storm writes")
            await ClockCycles(clk, self.rng.randint(0, 40))
            await self.reexaminations_done()
            await self.env.settle_histories()
        self.stop_traffic = True
        await task

    def needs(self):
        need = super().needs()
        self.exercised["entry replays"] = self.env.sb.stats.explained["entry_replay"]
        self.exercised["triggers pended"] = self.env.sb.outcome_count("PENDED")
        need.update({"CTRL storm writes": self.rounds, "entry replays": 5, "triggers pended": 5})
        return need
