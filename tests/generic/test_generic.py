"""The generic suite (tests/generic/hdl/generic_suite.py) on the bundled block and on the example
design examples/dsa_ims, and the example's planted bugs caught with rule, slot, cycle, seed
and the command that reproduces them.

Checks a design cannot take (a feature its profile says it lacks) are collected from each
run's not_applicable.jsonl and listed in the pytest summary (tests/conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tb import dut_profile
from tb.generic import read_not_applicable
from imsflow import sim as sim_mod
from tests.conftest import parameter_override, seed_override, selected_sims, small_params

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dsa_ims" / "dsa_ims.toml"
MODULE = "tests.generic.hdl.generic_suite"
SIMS = selected_sims()
DEFAULT_SEED = 1
NA_PROPERTY = "not_applicable"   # user property the conftest summary lists (works under xdist)


def _seed() -> int:
    s = seed_override()
    return DEFAULT_SEED if s is None else s


def _run_env(monkeypatch, profile: Path | None, defines: str = "") -> None:
    """The runner reads the profile when imsflow/sim.py is imported; point both at `profile`."""
    if profile is None:
        monkeypatch.delenv(dut_profile.ENV_DUT, raising=False)
    else:
        monkeypatch.setenv(dut_profile.ENV_DUT, str(profile))
    monkeypatch.setenv(dut_profile.ENV_DEFINES, defines)
    monkeypatch.setattr(sim_mod, "PROFILE", dut_profile.selected())
    monkeypatch.setattr(sim_mod, "TOPLEVEL", sim_mod.PROFILE.top)


def _run(sim, params, check=True, tag=None):
    return sim_mod.run(MODULE, sim=sim, parameters=params, seed=_seed(), toplevel=sim_mod.TOPLEVEL,
                       check=check, run_tag=tag)


def _targets():
    """(profile, param set name, overrides): the selected DUT (make DUT=...) or, by default,
    the bundled block at 64 slots and the example at its two sweep sets."""
    env = os.environ.get(dut_profile.ENV_DUT, "").strip()
    override = parameter_override()
    if env:
        prof = dut_profile.load(env)
        if override:
            return [(Path(env), "override", override)]
        return [(Path(env), k, v) for k, v in prof.sweep.items()]
    if override:       # make test NUM_SLOTS=...: the bundled block with those parameters
        return [(None, "override", override)]
    ex = dut_profile.load(EXAMPLE)
    return [(None, "n64", small_params())] + [(EXAMPLE, k, v) for k, v in ex.sweep.items()]


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("target", _targets(), ids=lambda t: f"{(t[0] or Path('ims_top')).stem}-{t[1]}")
def test_generic_suite(sim, target, monkeypatch, record_property):
    profile, _, params = target
    _run_env(monkeypatch, profile)
    res = _run(sim, params)
    items = read_not_applicable(res.test_dir)
    record_property(NA_PROPERTY, {"run": f"{sim_mod.PROFILE.name} {sim_mod.param_tag(params)} ({sim})",
                                  "items": items})
    # Every test ran or was skipped as not applicable; a skip is always on the list.
    assert len(res.passed) + len(res.skipped) >= 16 and len(res.passed) >= 10, res.summary()
    listed = {i["test"] for i in items}
    assert set(res.skipped) <= listed, (res.skipped, items)
    # What the profile says is absent shows up as not applicable, and nothing else does.
    absent = set(sim_mod.PROFILE.missing_features) - {"memory_entries", "busy"}
    met = {i["feature"] for i in items if i["feature"]}
    assert met <= set(sim_mod.PROFILE.missing_features), items
    assert absent <= met, f"features absent but never reported not applicable: {absent - met}"


# bug define -> (test that must fail, rule tag in its message)
PLANTED = {
    "PLANT_BUG_MASKED_FIRES": ("generic_mask_pending_replay", "rule 4 mask"),
    "PLANT_BUG_PASID_BIT19": ("generic_pasid_isolation", "rule 3 PASID"),
    "PLANT_BUG_LOST_REPLAY": ("generic_replay_under_traffic", "replay under traffic"),
    # Further checkers of the suite shown to fail on a wrong design:
    "PLANT_BUG_NO_RANGE_CHECK": ("generic_range_drop", "rule 1 range"),
    "PLANT_BUG_ENABLE_IGNORED": ("generic_disabled_drop", "rule 2 disabled"),
    "PLANT_BUG_MASK_RESET_0": ("generic_registers", "registers"),
    # The checks added for issue 11's remaining gaps (§5, reset, BVALID edge, strobes):
    "PLANT_BUG_SLOW_SEND": ("generic_performance", "§5"),
    "PLANT_BUG_RESET_KEEPS_PENDING": ("generic_reset_mid_traffic", "reset mid-traffic"),
    "PLANT_BUG_LATE_MASK": ("generic_write_visible_at_bvalid", "write visible at BVALID"),
    "PLANT_BUG_STRB_IGNORED": ("generic_byte_strobes", "byte strobes"),
    "PLANT_BUG_LATE_CLEAR": ("generic_clear_vs_trigger", "pending clear vs trigger"),
}


@pytest.mark.parametrize("bug", sorted(PLANTED))
def test_planted_bug_reported(bug, monkeypatch):
    """Each planted bug fails its test with the rule, slot, cycle, seed and a repro command
    naming the profile and the define; the clean design passes the same test (above)."""
    sim = "icarus" if "icarus" in SIMS else SIMS[0]     # Icarus builds in seconds
    test, rule = PLANTED[bug]
    _run_env(monkeypatch, EXAMPLE, bug)
    prof = sim_mod.PROFILE
    params = dict(prof.sweep[next(iter(prof.sweep))])
    res = sim_mod.run(MODULE, sim=sim, parameters=params, seed=_seed(), toplevel=prof.top,
                      test_filter=rf"\.{test}(/.*)?$", check=False, run_tag=f"planted-{bug}")
    assert res.failed, f"{bug} was not caught by {test}:\n{res.summary()}"
    name, msg = res.failed[0]
    assert name.startswith(test), res.summary()
    assert f"[{rule}" in msg, msg
    assert re.search(r"slot \d+", msg) and re.search(r"cycle \d+", msg) and re.search(r"seed \d+", msg), msg
    repro = re.search(r"make waves TEST=(\S+) DUT=(\S+) DEFINES=(\S+) SIM=(\S+) PARAMS=(\S+) SEED=(\d+)", msg)
    assert repro, msg
    assert repro.group(2) == "examples/dsa_ims/dsa_ims.toml" and repro.group(3) == bug, msg


def test_profile_defines_and_include_dirs_reach_the_build(tmp_path, monkeypatch):
    """A profile's own [design] defines are compiled in (here a planted bug, caught), and its
    include_dirs are searched (the example's map header lives in rtl/include)."""
    base = EXAMPLE.parent
    text = EXAMPLE.read_text()
    text = (text.replace('sources = ["rtl/*.v"]', f'sources = ["{base}/rtl/*.v"]')
                .replace('include_dirs = ["rtl/include"]', f'include_dirs = ["{base}/rtl/include"]')
                .replace('defines = {}', 'defines = { PLANT_BUG_ENABLE_IGNORED = true }')
                .replace('rdl = "dsa_ims.rdl"', f'rdl = "{base}/dsa_ims.rdl"'))
    prof = tmp_path / "with_bug.toml"
    prof.write_text(text)
    _run_env(monkeypatch, prof)
    assert sim_mod.PROFILE.defines == {"PLANT_BUG_ENABLE_IGNORED": True}
    sim = "icarus" if "icarus" in SIMS else SIMS[0]
    res = sim_mod.run(MODULE, sim=sim, parameters={}, seed=_seed(), toplevel="dsa_ims",
                      test_filter=r"\.generic_disabled_drop$", check=False, run_tag="profile-defines")
    assert res.failed and "[rule 2 disabled]" in res.failed[0][1], res.summary()
    assert "-d" in res.test_dir.parent.parent.name      # its own build directory
