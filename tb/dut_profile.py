"""DUT profile: one TOML file that describes an IMS design under test to this testbench.

A profile names the design's RTL (source globs, include dirs, defines, top module, parameters
and their limits), its SystemRDL register description, clock and reset, the names of its
ports, where the slot fields live, and which optional features it has. The runner
(imsflow/sim.py) builds from it; the bench (tb/ims_tb.py) binds ports, clock, reset and the
register map from it; checks of a feature the design lacks are reported "not applicable".

    python -m tb.dut_profile [PROFILE]     check a profile (and its RDL), print a summary

The selected profile is $IMS_DUT (set by `make <target> DUT=<profile>`), else the bundled
dut/ims_top.toml. A bad profile is one line naming the file and the key, and exit status 2.
Importable without a simulator (stdlib tomllib; the RDL check needs systemrdl-compiler).
"""

from __future__ import annotations

import ast
import glob
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "dut" / "ims_top.toml"
ENV_DUT = "IMS_DUT"
ENV_DEFINES = "IMS_DEFINES"

# Optional features a design may lack; each gates the checks that need it.
FEATURES = {
    "enable": "global ENABLE (rule 2, replay by setting ENABLE)",
    "func_mask": "global FUNC_MASK (rule 4, replay by clearing it)",
    "status": "sticky STATUS error flags",
    "busy": "STATUS.BUSY during post-reset initialisation",
    "counters": "CNT_* event counters",
    "pending_readback": "PENDING words",
    "pending_clear": "software clear of a slot's pending bit",
    "memory_entries": "memory-resident entries (contract §7)",
    "write_error": "BRESP != OKAY flagged and counted",
    "slverr_unlisted": "unlisted addresses answer SLVERR",
}

# [registers] keys each feature needs (REG or REG.FIELD names in the RDL).
REGISTER_KEYS = {
    "enable": ["ctrl_enable"],
    "func_mask": ["ctrl_func_mask"],
    "status": ["status_range_err", "status_pasid_err", "status_disabled_drop"],
    "busy": ["status_busy"],
    "counters": ["cnt_sent", "cnt_pended", "cnt_drop_range", "cnt_drop_pasid", "cnt_drop_disabled"],
    "pending_readback": ["pending"],
}
OPTIONAL_REGISTER_KEYS = {"num_slots", "status_write_err", "cnt_wr_err"}
SLOT_KEYS = ("addr_lo", "addr_hi", "data", "mask", "pasid_en", "pasid")
SLOT_OPTIONAL = ("pending",)
TRIGGER_KEYS = ("valid", "ready", "index", "pasid_valid", "pasid")
TOP_TABLES = {"design", "parameters", "clock", "reset", "interfaces", "registers", "slot", "features",
              "performance"}
# [performance]: what the design promises for contract §5 (optional; the generic suite checks
# each declared figure and lists an undeclared one as not applicable).
PERFORMANCE_KEYS = {
    "msg_per_clk": "sustained messages per clock, awready/wready held high, a trigger every cycle",
    "latency_cycles": "trigger accept edge to first AWVALID edge, nothing queued ahead",
}


class ProfileError(Exception):
    """A profile that cannot be used; the message is one line naming the file and the key."""


@dataclass
class Profile:
    path: Path
    name: str
    top: str
    sources: list[Path]
    include_dirs: list[Path]
    defines: dict[str, object]
    rdl: Path
    rdl_top: str
    parameters: dict[str, int]
    slot_count_param: str
    rdl_params: dict[str, str]
    sweep: dict[str, dict[str, int]]
    limits: dict[str, dict]
    clock: str
    clock_period_ns: float
    reset: str
    reset_active_low: bool
    regs_prefix: str
    trigger: dict[str, str]
    msg_prefix: str
    fetch_prefix: str | None
    registers: dict[str, str]
    slot: dict[str, str]
    features: dict[str, bool] = field(default_factory=dict)
    performance: dict[str, float] = field(default_factory=dict)
    # parameters whose default is an expression over the others (e.g. the bundled block's
    # MEM_MAX_ENTRIES follows NUM_SLOTS and IRQ_INDEX_WIDTH as the RTL's own default does)
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def is_bundled(self) -> bool:
        return self.path.resolve() == BUNDLED.resolve()

    def has(self, feature: str) -> bool:
        if feature not in FEATURES:
            raise KeyError(f"unknown feature {feature!r}")
        return bool(self.features.get(feature, False))

    @property
    def missing_features(self) -> list[str]:
        return [f for f in FEATURES if not self.has(f)]

    def display_path(self) -> str:
        """The profile as a user types it (relative to the repository when inside it)."""
        try:
            return str(self.path.resolve().relative_to(ROOT))
        except ValueError:
            return str(self.path)

    # -- parameters ------------------------------------------------------------------------

    def merged(self, overrides: dict | None = None) -> dict[str, int]:
        """Every top parameter of a build: the overrides, else the profile's defaults; a derived
        default is evaluated over this build's values (as the RTL elaborates its own default)."""
        overrides = dict(overrides or {})
        values = dict(self.parameters, **overrides)
        for name, expr in self.derived.items():
            if name not in overrides:
                values[name] = _eval_limit(expr, values, self, name, table="parameters")
        return values

    def check_parameters(self, overrides: dict | None) -> None:
        """Overrides must name top parameters and keep the design's limits (one clear line)."""
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(self.parameters))
        if unknown:
            raise ProfileError(f"unknown parameter(s) {', '.join(unknown)}; {self.top} has "
                               f"{', '.join(sorted(self.parameters))}")
        for name, value in overrides.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise ProfileError(f"{name}={value!r} is not an integer")
        values = self.merged(overrides)
        for name, rule in self.limits.items():
            v = values[name]
            lo = _eval_limit(rule.get("min"), values, self, name)
            hi = _eval_limit(rule.get("max"), values, self, name)
            pow2 = rule.get("power_of_two", False)
            bad = (lo is not None and v < lo) or (hi is not None and v > hi) or (pow2 and (v < 1 or v & (v - 1)))
            if bad:
                span = f"{lo if lo is not None else '-inf'} .. {hi if hi is not None else 'inf'}"
                raise ProfileError(f"{name}={v}: must be {'a power of two ' if pow2 else ''}in {span} "
                                   f"({self.name} limits in {self.display_path()}: {rule})")

    def num_slots(self, overrides: dict | None = None) -> int:
        return self.merged(overrides)[self.slot_count_param]

    # -- RTL and register map ---------------------------------------------------------------

    def rtl_sources(self) -> list[Path]:
        return list(self.sources)

    def all_defines(self, extra: dict | None = None) -> dict:
        return dict(self.defines, **(extra or {}))

    def register_map(self, overrides: dict | None = None):
        from models.regs import load_description

        return load_description(self.rdl, self.rdl_top, self.rdl_params, self.merged(overrides))

    def reg(self, key: str):
        """The Register or Field a [registers] key names, in the map for the default parameters."""
        return resolve(self.register_map(), self.registers[key])

    def validate_rdl(self, overrides: dict | None = None) -> None:
        """Every register and slot field the profile names exists in the compiled description."""
        from models.regs import RegsError

        try:
            m = self.register_map(overrides)
        except RegsError as exc:
            raise ProfileError(f"{self.display_path()}: design.rdl: {exc}") from None
        if m.slot.name != self.slot["table"]:
            raise ProfileError(f"{self.display_path()}: slot.table = {self.slot['table']!r}, but the "
                               f"description's slot table is {m.slot.name!r}")
        for key, ref in self.registers.items():
            try:
                resolve(m, ref)
            except LookupError as exc:
                raise ProfileError(f"{self.display_path()}: registers.{key} = {ref!r}: {exc}") from None
        for key in SLOT_KEYS + SLOT_OPTIONAL:
            if key in self.slot:
                try:
                    resolve_slot(m, self.slot[key])
                except LookupError as exc:
                    raise ProfileError(f"{self.display_path()}: slot.{key} = {self.slot[key]!r}: {exc}") from None

    def summary(self) -> str:
        feats = ", ".join(f for f in FEATURES if self.has(f)) or "none"
        missing = ", ".join(self.missing_features) or "none"
        return (f"DUT {self.name} ({self.display_path()}): top {self.top}, {len(self.sources)} source(s), "
                f"RDL {self.rdl.name}, clock {self.clock}, reset {self.reset} "
                f"(active {'low' if self.reset_active_low else 'high'}); features: {feats}; "
                f"absent (checks not applicable): {missing}")


def resolve(regmap, ref: str):
    """'REG' -> Register, 'REG.FIELD' -> Field (top-level registers and arrays)."""
    name, _, fld = ref.partition(".")
    if name not in regmap:
        raise LookupError(f"no register {name!r} in the description "
                          f"(registers: {', '.join(list(regmap.registers) + list(regmap.arrays))})")
    reg = getattr(regmap, name)
    if not fld:
        return reg
    if fld not in reg.fields:
        raise LookupError(f"register {name} has no field {fld!r} (fields: {', '.join(reg.fields)})")
    return reg.fields[fld]


def resolve_slot(regmap, ref: str):
    """'REG.FIELD' inside the slot regfile -> (Register layout, Field)."""
    name, _, fld = ref.partition(".")
    if name not in regmap.slot.registers:
        raise LookupError(f"the slot has no register {name!r} (registers: {', '.join(regmap.slot.registers)})")
    reg = regmap.slot.registers[name]
    if fld not in reg.fields:
        raise LookupError(f"slot register {name} has no field {fld!r} (fields: {', '.join(reg.fields)})")
    return reg, reg.fields[fld]


def _mem_max_entries_default(num_slots: int, irq_index_width: int) -> int:
    from models.contract_params import mem_max_entries_default

    return mem_max_entries_default(num_slots, irq_index_width)


# mem_max_entries_default(NUM_SLOTS, IRQ_INDEX_WIDTH): the contract's §7 default (one place:
# models/contract_params.py), for profiles of blocks that follow the contract's parameters.
_LIMIT_FUNCS = {"max": max, "min": min, "log2": lambda v: int(v).bit_length() - 1,
                "mem_max_entries_default": _mem_max_entries_default}


def _eval_limit(expr, values: dict, prof, name: str, table: str = "parameters.limits"):
    """An integer, or an expression over parameter names with + - * // max min log2
    mem_max_entries_default."""
    if expr is None or isinstance(expr, int):
        return expr

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
            a, b = ev(node.left), ev(node.right)
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(node.op), a // b if b else 0)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _LIMIT_FUNCS
                and not node.keywords):
            return _LIMIT_FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ValueError(ast.dump(node))

    try:
        return int(ev(ast.parse(str(expr), mode="eval")))
    except (SyntaxError, ValueError, TypeError) as exc:
        raise ProfileError(f"{prof.display_path() if hasattr(prof, 'display_path') else prof}: "
                           f"{table}.{name}: cannot evaluate {expr!r} ({exc})") from None


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------

def _performance(data: dict, where: str) -> dict[str, float]:
    perf = _table(data, "performance", where, required=False) or {}
    unknown = sorted(set(perf) - set(PERFORMANCE_KEYS))
    if unknown:
        raise ProfileError(f"{where}: performance.{unknown[0]}: unknown key (known: {', '.join(PERFORMANCE_KEYS)})")
    out = {}
    for k, v in perf.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0 or (k == "msg_per_clk" and v > 1) \
                or (k == "latency_cycles" and int(v) != v):
            raise ProfileError(f"{where}: performance.{k} = {v!r}: expected "
                               + ("a number in (0, 1]" if k == "msg_per_clk" else "a positive integer"))
        out[k] = float(v) if k == "msg_per_clk" else int(v)
    return out


def _table(data: dict, key: str, where: str, required: bool = True) -> dict:
    v = data.get(key)
    if v is None:
        if required:
            raise ProfileError(f"{where}: missing table [{key}]")
        return {}
    if not isinstance(v, dict):
        raise ProfileError(f"{where}: {key} must be a table")
    return v


def _str(t: dict, key: str, where: str, prefix: str, required: bool = True) -> str | None:
    v = t.get(key)
    if v is None:
        if required:
            raise ProfileError(f"{where}: missing key {prefix}{key}")
        return None
    if not isinstance(v, str) or not v:
        raise ProfileError(f"{where}: {prefix}{key} must be a non-empty string, got {v!r}")
    return v


def load(path: str | Path | None = None) -> Profile:
    """Read and check a profile (structure, files, parameter limits; not the RDL: validate_rdl)."""
    p = Path(path) if path is not None else BUNDLED
    where = str(p)
    if not p.is_file():
        raise ProfileError(f"{where}: DUT profile not found")
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - TOP_TABLES)
    if unknown:
        raise ProfileError(f"{where}: unknown table(s) {', '.join(unknown)} (known: {', '.join(sorted(TOP_TABLES))})")
    base = p.resolve().parent

    design = _table(data, "design", where)
    name = _str(design, "name", where, "design.", required=False) or _str(design, "top", where, "design.")
    top = _str(design, "top", where, "design.")
    globs = design.get("sources")
    if not isinstance(globs, list) or not globs or not all(isinstance(g, str) for g in globs):
        raise ProfileError(f"{where}: design.sources must be a non-empty list of globs")
    sources: list[Path] = []
    for g in globs:
        hits = sorted(Path(h).resolve() for h in glob.glob(str(base / g)))
        if not hits:
            raise ProfileError(f"{where}: design.sources: {g!r} matches no file (relative to {base})")
        sources += [h for h in hits if h not in sources]
    incs = design.get("include_dirs", [])
    if not isinstance(incs, list) or not all(isinstance(i, str) for i in incs):
        raise ProfileError(f"{where}: design.include_dirs must be a list of directories")
    include_dirs = [(base / i).resolve() for i in incs]
    for i, d in zip(incs, include_dirs):
        if not d.is_dir():
            raise ProfileError(f"{where}: design.include_dirs: {i!r} is not a directory")
    defines = design.get("defines", {})
    if not isinstance(defines, dict):
        raise ProfileError(f"{where}: design.defines must be a table NAME = value")
    rdl = base / _str(design, "rdl", where, "design.")
    if not rdl.is_file():
        raise ProfileError(f"{where}: design.rdl: {rdl} not found")
    rdl_top = _str(design, "rdl_top", where, "design.", required=False) or top

    params_t = _table(data, "parameters", where)
    parameters = {k: v for k, v in params_t.items() if not isinstance(v, (dict, str))}
    # NAME = "expression": a default computed from the other parameters per build
    derived = {k: v for k, v in params_t.items() if isinstance(v, str) and k != "slot_count"}
    for k, v in parameters.items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise ProfileError(f"{where}: parameters.{k} must be an integer, got {v!r}")
    for k, expr in derived.items():       # the defaults' own values (checked like any other)
        parameters[k] = _eval_limit(expr, parameters, where, k, table="parameters")
    slot_count = _str(params_t, "slot_count", where, "parameters.")
    if slot_count not in parameters:
        raise ProfileError(f"{where}: parameters.slot_count = {slot_count!r} is not a parameter "
                           f"(parameters: {', '.join(parameters) or 'none'})")
    rdl_params = params_t.get("rdl", {})
    if not isinstance(rdl_params, dict) or not all(isinstance(v, str) for v in rdl_params.values()):
        raise ProfileError(f"{where}: parameters.rdl must be a table PARAM = \"RDL_PARAM\"")
    for k in rdl_params:
        if k not in parameters:
            raise ProfileError(f"{where}: parameters.rdl.{k}: not a parameter of {top}")
    sweep = params_t.get("sweep", {"default": {}})
    if not isinstance(sweep, dict) or not sweep or not all(isinstance(v, dict) for v in sweep.values()):
        raise ProfileError(f"{where}: parameters.sweep must be a table of name = {{PARAM = value}}")
    limits = params_t.get("limits", {})
    if not isinstance(limits, dict):
        raise ProfileError(f"{where}: parameters.limits must be a table")
    for k, rule in limits.items():
        if k not in parameters:
            raise ProfileError(f"{where}: parameters.limits.{k}: not a parameter of {top}")
        if not isinstance(rule, dict) or set(rule) - {"min", "max", "power_of_two"}:
            raise ProfileError(f"{where}: parameters.limits.{k} must be {{min, max, power_of_two}}")

    clock = _table(data, "clock", where)
    reset = _table(data, "reset", where)
    period = clock.get("period_ns", 10)
    if not isinstance(period, (int, float)) or period <= 0:
        raise ProfileError(f"{where}: clock.period_ns must be a positive number")
    active_low = reset.get("active_low", False)
    if not isinstance(active_low, bool):
        raise ProfileError(f"{where}: reset.active_low must be true or false")

    itf = _table(data, "interfaces", where)
    regs_t = _table(itf, "regs", where)
    trig_t = _table(itf, "trigger", where)
    msg_t = _table(itf, "msg", where)
    fetch_t = _table(itf, "fetch", where, required=False)
    trigger = {k: _str(trig_t, k, where, "interfaces.trigger.") for k in TRIGGER_KEYS}
    handshake = trig_t.get("handshake", "valid_ready")
    if handshake != "valid_ready":
        raise ProfileError(f"{where}: interfaces.trigger.handshake = {handshake!r}: only \"valid_ready\" "
                           "(accepted on an edge where both are high) is supported")

    features_t = _table(data, "features", where)
    unknown = sorted(set(features_t) - set(FEATURES))
    if unknown:
        raise ProfileError(f"{where}: features.{unknown[0]}: unknown feature (known: {', '.join(FEATURES)})")
    for k, v in features_t.items():
        if not isinstance(v, bool):
            raise ProfileError(f"{where}: features.{k} must be true or false, got {v!r}")
    features = {k: features_t.get(k, False) for k in FEATURES}
    if features["memory_entries"] and not fetch_t:
        raise ProfileError(f"{where}: features.memory_entries = true needs [interfaces.fetch]")
    if features["busy"] and not features["status"]:
        raise ProfileError(f"{where}: features.busy = true needs features.status = true")

    regs_names = _table(data, "registers", where, required=False)
    for k, v in regs_names.items():
        if k not in OPTIONAL_REGISTER_KEYS and not any(k in ks for ks in REGISTER_KEYS.values()):
            raise ProfileError(f"{where}: registers.{k}: unknown key")
        if not isinstance(v, str) or not v:
            raise ProfileError(f"{where}: registers.{k} must be \"REG\" or \"REG.FIELD\"")
    for feat, keys in REGISTER_KEYS.items():
        if features[feat]:
            for k in keys:
                if k not in regs_names:
                    raise ProfileError(f"{where}: features.{feat} = true needs registers.{k}")
    if features["write_error"] and not (("status_write_err" in regs_names and features["status"])
                                        or ("cnt_wr_err" in regs_names and features["counters"])):
        raise ProfileError(f"{where}: features.write_error = true needs registers.status_write_err "
                           "or registers.cnt_wr_err (how the error shows)")
    slot_t = _table(data, "slot", where)
    slot = {"table": _str(slot_t, "table", where, "slot.")}
    for k in SLOT_KEYS:
        slot[k] = _str(slot_t, k, where, "slot.")
    for k in SLOT_OPTIONAL:
        if k in slot_t:
            slot[k] = _str(slot_t, k, where, "slot.")
    if features["pending_clear"] and "pending" not in slot:
        raise ProfileError(f"{where}: features.pending_clear = true needs slot.pending (the write-1-clear bit)")
    extra = sorted(set(slot_t) - set(slot))
    if extra:
        raise ProfileError(f"{where}: slot.{extra[0]}: unknown key")

    prof = Profile(
        path=p, name=name, top=top, sources=sources, include_dirs=include_dirs, defines=dict(defines),
        rdl=rdl.resolve(), rdl_top=rdl_top, parameters=parameters, slot_count_param=slot_count,
        rdl_params=dict(rdl_params), sweep={k: dict(v) for k, v in sweep.items()}, limits=limits,
        clock=_str(clock, "name", where, "clock."), clock_period_ns=float(period),
        reset=_str(reset, "name", where, "reset."), reset_active_low=active_low,
        regs_prefix=_str(regs_t, "prefix", where, "interfaces.regs."), trigger=trigger,
        msg_prefix=_str(msg_t, "prefix", where, "interfaces.msg."),
        fetch_prefix=_str(fetch_t, "prefix", where, "interfaces.fetch.") if fetch_t else None,
        registers=dict(regs_names), slot=slot, features=features,
        performance=_performance(data, where), derived=derived)
    prof.check_parameters({})
    for name_, overrides in prof.sweep.items():
        try:
            prof.check_parameters(overrides)
        except ProfileError as exc:
            raise ProfileError(f"{where}: parameters.sweep.{name_}: {exc}") from None
    return prof


def selected_path() -> Path:
    env = os.environ.get(ENV_DUT, "").strip()
    return Path(env).resolve() if env else BUNDLED


def selected() -> Profile:
    """The profile of this run: $IMS_DUT or the bundled one."""
    return load(selected_path())


def extra_defines() -> dict:
    """Defines added on the command line (`make ... DEFINES="A B=1"`, e.g. a planted bug)."""
    out: dict = {}
    for item in os.environ.get(ENV_DEFINES, "").replace(",", " ").split():
        name, sep, value = item.partition("=")
        out[name] = value if sep else 1
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        prof = load(args[0]) if args else selected()
        prof.validate_rdl()
    except ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(prof.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
