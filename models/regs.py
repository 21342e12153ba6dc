"""The IMS register map, loaded from its SystemRDL description (regs/ims.rdl).

regs/ims.rdl is the one place that types register offsets, field positions, access types and
reset values. This module compiles it with systemrdl-compiler (once per parameter set, cached)
and turns the elaborated tree into small read-only Python objects that read like the contract:

    from models.regs import regs            # the default build: NUM_SLOTS 2048, AXIL_ADDR_WIDTH 16
    regs.CTRL                                # 0x10 (a Register is an int: its byte address)
    regs.CTRL.ENABLE                         # 0x1  (a Field is an int: its mask)
    regs.slot.CTRL.PASID.put(pasid)          # the PASID field of a slot CTRL word
    regs.slot[5].CTRL                        # byte address of slot 5's CTRL
    regs.PENDING[3]                          # byte address of PENDING[3]
    load(num_slots=64).slot.count            # another parameter set

IMS_REGS_RDL=<path> points every user at another description (tests/impl/test_regs.py uses this to
prove that the testbench follows the description: a moved field makes the register tests fail).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Iterator

RDL_PATH = Path(__file__).resolve().parent.parent / "regs" / "ims.rdl"
RDL_TOP = "ims_top"
ENV_RDL = "IMS_REGS_RDL"

# RTL parameter name -> SystemRDL parameter of the top addrmap (prefixed: SystemRDL puts the
# register NUM_SLOTS and a parameter NUM_SLOTS in one namespace).
RDL_PARAMS = {"NUM_SLOTS": "RTL_NUM_SLOTS", "AXIL_ADDR_WIDTH": "RTL_AXIL_ADDR_WIDTH",
              "MEM_MAX_ENTRIES": "RTL_MEM_MAX_ENTRIES"}
DEFAULTS = {"NUM_SLOTS": 2048, "AXIL_ADDR_WIDTH": 16, "MEM_MAX_ENTRIES": 0}


class RegsError(Exception):
    """The description did not compile or lacks something the loader needs (one clear line)."""


class Field(int):
    """A field of a register; as an int, its mask in the register word."""

    name: str
    lsb: int
    width: int
    reset: int | None
    sw: str           # "r", "w", "rw" (SystemRDL sw access)
    onwrite: str | None   # "woclr" for write-1-to-clear, else None
    desc: str

    def __new__(cls, name: str, lsb: int, width: int, reset: int | None, sw: str,
                onwrite: str | None, desc: str) -> "Field":
        self = super().__new__(cls, ((1 << width) - 1) << lsb)
        self.name, self.lsb, self.width, self.reset = name, lsb, width, reset
        self.sw, self.onwrite, self.desc = sw, onwrite, desc
        return self

    # Immutable: copies (the scoreboard deep-copies device models) share it; pickles rebuild it.
    def __reduce__(self):
        return Field, (self.name, self.lsb, self.width, self.reset, self.sw, self.onwrite, self.desc)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    @property
    def mask(self) -> int:
        return int(self)

    @property
    def msb(self) -> int:
        return self.lsb + self.width - 1

    def put(self, value: int) -> int:
        """`value` placed in this field (bits outside the field dropped)."""
        return (int(value) << self.lsb) & int(self)

    def get(self, word: int) -> int:
        """This field's value in register word `word`."""
        return (int(word) & int(self)) >> self.lsb

    @property
    def readable(self) -> bool:
        return "r" in self.sw

    @property
    def writable(self) -> bool:
        return "w" in self.sw

    @property
    def is_rw(self) -> bool:
        """Plain read/write storage: a write stores, a read returns what was stored."""
        return self.sw == "rw" and self.onwrite is None

    @property
    def is_w1c(self) -> bool:
        return self.writable and self.onwrite == "woclr"

    @property
    def is_ro(self) -> bool:
        return self.sw == "r"

    def __repr__(self) -> str:
        return f"<Field {self.name}[{self.msb}:{self.lsb}] {self.sw}{'/' + self.onwrite if self.onwrite else ''}>"


class Register(int):
    """A register; as an int, its byte address (for a slot's register: its offset in the slot).

    Fields are attributes (`reg.ENABLE`) and items of `reg.fields`. For an array (PENDING),
    `reg[k]` is the address of element k and `count`/`stride` say how many and how far apart."""

    name: str
    fields: dict[str, Field]
    desc: str
    count: int | None
    stride: int

    def __new__(cls, name: str, address: int, fields: dict[str, Field], desc: str = "",
                count: int | None = None, stride: int = 4) -> "Register":
        self = super().__new__(cls, address)
        self.name, self.fields, self.desc = name, dict(fields), desc
        self.count, self.stride = count, stride
        return self

    def __reduce__(self):
        return Register, (self.name, int(self), self.fields, self.desc, self.count, self.stride)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __getattr__(self, name: str) -> Field:
        # Only called for names not found normally: the register's fields.
        fields = self.__dict__.get("fields", {})
        if name in fields:
            return fields[name]
        raise AttributeError(f"register {self.__dict__.get('name', '?')} has no field {name!r} "
                             f"(fields: {', '.join(fields) or 'none'})")

    @property
    def address(self) -> int:
        return int(self)

    def __getitem__(self, k: int) -> int:
        if self.count is None:
            raise TypeError(f"register {self.name} is not an array")
        if not 0 <= k < self.count:
            raise IndexError(f"{self.name}[{k}]: the array has {self.count} elements")
        return int(self) + self.stride * k

    def at(self, address: int) -> "Register":
        """This register's layout at another address (a slot's register inside the table)."""
        return Register(self.name, address, self.fields, self.desc)

    def _mask(self, pred) -> int:
        m = 0
        for f in self.fields.values():
            if pred(f):
                m |= int(f)
        return m

    @property
    def reset(self) -> int:
        """Reset value of the whole word (fields without a reset and gaps read 0)."""
        v = 0
        for f in self.fields.values():
            if f.reset is not None and f.readable:
                v |= f.put(f.reset)
        return v

    @property
    def rw_mask(self) -> int:
        return self._mask(lambda f: f.is_rw)

    @property
    def w1c_mask(self) -> int:
        return self._mask(lambda f: f.is_w1c)

    @property
    def ro_mask(self) -> int:
        return self._mask(lambda f: f.is_ro)

    @property
    def readable_mask(self) -> int:
        """Bits that can read 1; every other bit reads 0."""
        return self._mask(lambda f: f.readable)

    @property
    def writable(self) -> bool:
        return any(f.writable for f in self.fields.values())

    @property
    def access(self) -> str:
        """RO, RW, WO or RW1C (some field write-1-clears) — the contract's column."""
        if any(f.is_w1c for f in self.fields.values()):
            return "RW1C"
        readable = any(f.readable for f in self.fields.values())
        if not self.writable:
            return "RO"
        return "RW" if readable else "WO"

    def __repr__(self) -> str:
        return f"<Register {self.name} @0x{int(self):x} {self.access}>"


class _Shared:
    """Read-only description objects: a deep copy of a model that holds one shares it."""

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class SlotView(_Shared):
    """Registers of one slot, at their absolute addresses."""

    def __init__(self, table: "SlotTable", index: int) -> None:
        self.index = index
        self.address = table.base + table.stride * index
        self.registers = {n: r.at(self.address + int(r)) for n, r in table.registers.items()}

    def __getattr__(self, name: str) -> Register:
        regs = self.__dict__.get("registers", {})
        if name in regs:
            return regs[name]
        raise AttributeError(f"a slot has no register {name!r} (registers: {', '.join(regs)})")


class SlotTable(_Shared):
    """The slot table: `count` slots of `stride` bytes from `base` (TABLE_BASE).

    `table.CTRL` is the slot CTRL layout with its offset in the slot (an int, 0xC in the
    contract); `table[i].CTRL` is slot i's CTRL at its byte address."""

    def __init__(self, name: str, base: int, stride: int, count: int,
                 registers: dict[str, Register], desc: str = "") -> None:
        self.name, self.base, self.stride, self.count = name, base, stride, count
        self.registers = registers
        self.desc = desc

    def __getattr__(self, name: str) -> Register:
        regs = self.__dict__.get("registers", {})
        if name in regs:
            return regs[name]
        raise AttributeError(f"a slot has no register {name!r} (registers: {', '.join(regs)})")

    def __getitem__(self, index: int) -> SlotView:
        if not 0 <= index < self.count:
            raise IndexError(f"slot {index}: the table has {self.count} slots")
        return SlotView(self, index)

    def addr(self, index: int, register: str = "ADDR_LO") -> int:
        """Byte address of `register` of slot `index` (no range check: tests probe beyond)."""
        return self.base + self.stride * index + int(self.registers[register])

    def decode(self, address: int) -> tuple[int, Register] | None:
        """(slot index, register layout) of a dword address inside the table, else None."""
        rel = address - self.base
        if rel < 0:
            return None
        index, off = divmod(rel, self.stride)
        if index >= self.count:
            return None
        for r in self.registers.values():
            if int(r) == off & ~3:
                return index, r
        return None

    @property
    def end(self) -> int:
        return self.base + self.stride * self.count


class RegisterMap(_Shared):
    """The compiled map for one parameter set."""

    def __init__(self, params: dict[str, int], registers: dict[str, Register],
                 arrays: dict[str, Register], slot: SlotTable, source: Path, desc: str) -> None:
        self.params = dict(params)
        self.registers = registers      # single registers by name, in address order
        self.arrays = arrays            # register arrays (PENDING)
        self.slot = slot
        self.source = source
        self.desc = desc

    def __getattr__(self, name: str):
        d = self.__dict__
        if name in d.get("registers", {}):
            return d["registers"][name]
        if name in d.get("arrays", {}):
            return d["arrays"][name]
        raise AttributeError(f"the register map has no register {name!r}")

    def __contains__(self, name: str) -> bool:
        return name in self.registers or name in self.arrays

    @property
    def num_slots(self) -> int:
        return self.slot.count

    @property
    def table_base(self) -> int:
        return self.slot.base

    @property
    def aperture(self) -> int:
        return 1 << self.params["AXIL_ADDR_WIDTH"]

    @property
    def counters(self) -> dict[str, Register]:
        """The CNT_* registers, in address order."""
        return {n: r for n, r in self.registers.items() if n.startswith("CNT_")}

    def all_registers(self) -> Iterator[Register]:
        """Every register at its address: singles, every array element, every slot register."""
        yield from self.registers.values()
        for a in self.arrays.values():
            for k in range(a.count):
                yield a.at(a[k])
        for i in range(self.slot.count):
            yield from self.slot[i].registers.values()

    def decode(self, address: int) -> tuple[Register, int | None] | None:
        """(register layout, slot or array index) of a dword address, or None if unlisted."""
        a = address & ~3
        for r in self.registers.values():
            if int(r) == a:
                return r, None
        for r in self.arrays.values():
            if int(r) <= a < int(r) + r.stride * r.count and (a - int(r)) % r.stride == 0:
                return r, (a - int(r)) // r.stride
        hit = self.slot.decode(a)
        if hit is not None:
            return hit[1], hit[0]
        return None

    def is_listed(self, address: int) -> bool:
        return self.decode(address) is not None


def _access_name(prop) -> str:
    return prop.name if prop is not None else "na"


def _build(root, params: dict[str, int], source: Path) -> RegisterMap:
    from systemrdl.node import RegfileNode, RegNode

    def fields_of(reg_node) -> dict[str, Field]:
        out = {}
        for f in reg_node.fields():
            onwrite = f.get_property("onwrite")
            out[f.inst_name] = Field(f.inst_name, f.lsb, f.width, f.get_property("reset"),
                                     _access_name(f.get_property("sw")),
                                     onwrite.name if onwrite is not None else None,
                                     f.get_property("desc") or "")
        return out

    top = root.top
    registers: dict[str, Register] = {}
    arrays: dict[str, Register] = {}
    slot = None
    for child in top.children(unroll=False):
        if isinstance(child, RegNode):
            desc = child.get_property("desc") or ""
            if child.is_array:
                if len(child.array_dimensions) != 1:
                    raise RegsError(f"{source}: {child.inst_name}: only one-dimensional arrays are supported")
                arrays[child.inst_name] = Register(child.inst_name, child.raw_absolute_address,
                                                   fields_of(child), desc,
                                                   count=child.array_dimensions[0], stride=child.array_stride)
            else:
                registers[child.inst_name] = Register(child.inst_name, child.absolute_address,
                                                      fields_of(child), desc)
        elif isinstance(child, RegfileNode):
            if slot is not None or not child.is_array:
                raise RegsError(f"{source}: expected one regfile array (the slot table), found {child.inst_name}")
            regs = {r.inst_name: Register(r.inst_name, r.raw_address_offset, fields_of(r),
                                          r.get_property("desc") or "")
                    for r in child.children(unroll=False) if isinstance(r, RegNode)}
            slot = SlotTable(child.inst_name, child.raw_absolute_address, child.array_stride,
                             child.array_dimensions[0], regs, child.get_property("desc") or "")
        else:
            raise RegsError(f"{source}: unexpected component {child.inst_name} in {top.inst_name}")
    if slot is None:
        raise RegsError(f"{source}: no slot table (a regfile array) in {top.inst_name}")
    registers = dict(sorted(registers.items(), key=lambda kv: int(kv[1])))
    return RegisterMap(params, registers, arrays, slot, source, top.get_property("desc") or "")


def compile_rdl(source: Path, params: dict[str, int], top: str = RDL_TOP,
                rdl_names: dict[str, str] | None = None):
    """The elaborated systemrdl root node (for exporters: peakrdl-cheader, -html).

    params: RTL parameter values; rdl_names maps each to the addrmap parameter it feeds
    (default: this project's RDL_PARAMS; a DUT profile names its own)."""
    from systemrdl import RDLCompileError, RDLCompiler

    if not Path(source).is_file():
        raise RegsError(f"register description {source} not found")
    names = RDL_PARAMS if rdl_names is None else rdl_names
    compiler = RDLCompiler()
    try:
        compiler.compile_file(str(source))
        return compiler.elaborate(top, parameters={names[k]: v for k, v in params.items() if k in names})
    except RDLCompileError as exc:
        raise RegsError(f"{source} did not compile with {params}: {exc} (messages above)") from None


@functools.lru_cache(maxsize=None)
def _load(source: str, mtime: float, num_slots: int, axil_addr_width: int,
          mem_max_entries: int) -> RegisterMap:
    params = {"NUM_SLOTS": num_slots, "AXIL_ADDR_WIDTH": axil_addr_width,
              "MEM_MAX_ENTRIES": mem_max_entries}
    return _build(compile_rdl(Path(source), params), params, Path(source))


@functools.lru_cache(maxsize=None)
def _load_description(source: str, mtime: float, top: str, rdl_names: tuple,
                      params: tuple) -> RegisterMap:
    p = dict(params)
    return _build(compile_rdl(Path(source), p, top, dict(rdl_names)), p, Path(source))


def load_description(source: str | Path, top: str, rdl_names: dict[str, str],
                     params: dict[str, int]) -> RegisterMap:
    """Another design's map (a DUT profile's description): addrmap `top` of `source`, compiled
    with each RTL parameter in `params` fed to the addrmap parameter `rdl_names` names."""
    path = Path(source).resolve()
    if not path.is_file():
        raise RegsError(f"register description {path} not found")
    return _load_description(str(path), path.stat().st_mtime, top,
                             tuple(sorted(rdl_names.items())), tuple(sorted(params.items())))


def rdl_path() -> Path:
    return Path(os.environ.get(ENV_RDL) or RDL_PATH).resolve()


def load(num_slots: int = DEFAULTS["NUM_SLOTS"], axil_addr_width: int = DEFAULTS["AXIL_ADDR_WIDTH"],
         mem_max_entries: int = DEFAULTS["MEM_MAX_ENTRIES"], source: str | Path | None = None) -> RegisterMap:
    """The register map for one parameter set, compiled once and cached (per file version)."""
    path = Path(source).resolve() if source is not None else rdl_path()
    if not path.is_file():
        raise RegsError(f"register description {path} not found")
    return _load(str(path), path.stat().st_mtime, int(num_slots), int(axil_addr_width),
                 int(mem_max_entries))


def for_params(parameters: dict | None = None) -> RegisterMap:
    """The map for an RTL parameter dict as imsflow/sim.py uses them (missing names: defaults)."""
    p = dict(DEFAULTS, **{k: v for k, v in (parameters or {}).items() if k in DEFAULTS})
    return load(p["NUM_SLOTS"], p["AXIL_ADDR_WIDTH"], p["MEM_MAX_ENTRIES"])


# The default build (contract §1 defaults, MEM_MAX_ENTRIES 0 as the RTL is built today). Offsets
# and field layouts outside the slot table and PENDING count do not depend on the parameters.
regs = load()
