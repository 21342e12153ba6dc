"""pytest configuration shared by every entry point.

`make test SIM=verilator NUM_SLOTS=512` narrows the cocotb tests: the Makefile exports the
overrides as IMS_SIM_OVERRIDE / IMS_PARAM_OVERRIDE / IMS_SEED_OVERRIDE and the helpers below
turn them into the lists the pytest entry points parametrize over.
"""

from __future__ import annotations

import os
from pathlib import Path

ALL_SIMS = ["icarus", "verilator"]


def selected_sims() -> list[str]:
    sim = os.environ.get("IMS_SIM_OVERRIDE", "").strip()
    if not sim:
        return list(ALL_SIMS)
    if sim not in ALL_SIMS:
        raise ValueError(f"SIM={sim!r}: choose one of {', '.join(ALL_SIMS)}")
    return [sim]


def parameter_override() -> dict:
    """NAME=VALUE pairs given on the make command line, as ints."""
    text = os.environ.get("IMS_PARAM_OVERRIDE", "").strip()
    params = {}
    for item in text.split():
        name, _, value = item.partition("=")
        try:
            params[name] = int(value, 0)
        except ValueError as exc:
            raise ValueError(f"parameter override {item!r} is not NAME=<integer>") from exc
    return params


# Which build of the bundled block the cocotb tests use. By default the contract's (§7 memory
# mode built: dut/ims_top.toml's sweep, MEM_MAX_ENTRIES by the §7 rule or the set's value);
# `make test-rev1` sets IMS_REV1=1 and every set is built with MEM_MAX_ENTRIES = 0 (§6: the
# revision-1 block). An explicit MEM_MAX_ENTRIES on the command line wins.
ENV_REV1 = "IMS_REV1"


def rev1_mode() -> bool:
    return os.environ.get(ENV_REV1, "").strip() not in ("", "0")


def for_build(params: dict) -> dict:
    """A parameter set as the selected build (revision 1 under `make test-rev1`)."""
    out = dict(params)
    if rev1_mode() and "MEM_MAX_ENTRIES" not in parameter_override():
        out["MEM_MAX_ENTRIES"] = 0
    return out


def small_params() -> dict:
    """The bundled block's small set (the profile's sweep n64: memory mode built with
    MEM_MAX_ENTRIES 64, so BUSY sweeps 128 bits, not 2112) as the selected build; the command
    line's override when one is given."""
    from tb import dut_profile

    return parameter_override() or for_build(dut_profile.load(dut_profile.BUNDLED).sweep["n64"])


def selected_param_sets(default_sets: dict[str, dict]) -> dict[str, dict]:
    """The parameter sets to run: the override alone when one is given, else the defaults
    (as the selected build: `make test-rev1` builds them with MEM_MAX_ENTRIES = 0)."""
    override = parameter_override()
    if override:
        tag = "_".join(f"{k}{v}" for k, v in sorted(override.items()))
        return {tag: for_build(override)}
    return {name: for_build(p) for name, p in default_sets.items()}


def seed_override() -> int | None:
    text = os.environ.get("IMS_SEED_OVERRIDE", "").strip()
    return int(text, 0) if text else None


def pytest_configure(config) -> None:
    """A bad `make test NUM_SLOTS=...` is one usage error, not a failure in every test."""
    import pytest

    from tb import dut_profile

    try:
        dut_profile.selected().validate_rdl()     # make test DUT=<profile>: one line if it is bad
    except dut_profile.ProfileError as exc:
        raise pytest.UsageError(str(exc)) from None
    from imsflow.sim import ParameterError, check_parameters

    try:
        selected_sims()
        check_parameters(parameter_override())
    except (ParameterError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_terminal_summary(terminalreporter) -> None:
    """Checks the generic suite could not apply to a design (a feature its DUT profile says
    it lacks) are listed in every summary, never passed silently (tests/generic/test_generic.py
    records them as a user property of each run, which also reaches the xdist controller)."""
    found = {}
    for outcome in ("passed", "failed"):
        for rep in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(rep, "user_properties", []):
                if name == "not_applicable" and getattr(rep, "when", "call") == "call":
                    found[value["run"]] = value["items"]
    from tb import dut_profile

    prof = dut_profile.selected()
    if not prof.is_bundled:
        terminalreporter.section(f"DUT={prof.display_path()}")
        terminalreporter.write_line(f"deselected (tests of the bundled ims_top, not run, not passed): "
                                    f"tests/impl/, {', '.join('tests/tooling/' + m for m in BUNDLED_ONLY_TOOLING)}")
    if not found:
        return
    from tb.generic import format_not_applicable

    terminalreporter.section("generic suite: checks not applicable (feature absent from the DUT profile)")
    for run, items in sorted(found.items()):
        terminalreporter.write_line(f"{run}: {len(items)} check(s) not applicable")
        if items:
            terminalreporter.write_line(format_not_applicable(items))


# Tests of the bundled block's implementation live in tests/impl/ (white-box deposits, mutants,
# synthesis, its register description, its pyuvm environment); two tooling tests also build
# rtl/ims_top. With another design selected (make test DUT=<profile>) they are deselected and the
# deselection is printed; the generic suite (tests/generic/) and the simulator-free tests still run.
IMPL_DIR = Path(__file__).resolve().parent / "impl"
BUNDLED_ONLY_TOOLING = ("test_regress_tools.py", "test_sim_tools.py")


def bundled_only(path: Path) -> bool:
    return IMPL_DIR in Path(path).resolve().parents or Path(path).name in BUNDLED_ONLY_TOOLING


def pytest_collection_modifyitems(config, items) -> None:
    from tb import dut_profile

    prof = dut_profile.selected()
    if prof.is_bundled:
        return
    keep, drop = [], []
    for item in items:
        (drop if bundled_only(item.path) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
        mods = sorted({str(Path(i.path).resolve().relative_to(IMPL_DIR.parent.parent)) for i in drop})
        print(f"\nDUT={prof.display_path()}: {len(drop)} tests of the bundled ims_top deselected "
              f"(not run, not passed): {', '.join(mods)}")
