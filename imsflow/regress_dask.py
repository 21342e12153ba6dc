"""The Dask side of `make regress`: where the runs execute, and how faults are handled.

Where (one of):
  * default: an embedded `distributed.LocalCluster` on this machine, one single-threaded worker
    process per job (`-j`, auto = one per core); nothing to start.
  * `--scheduler tcp://host:port` (make regress SCHEDULER=...): an existing Dask cluster. Its
    workers need this repository at the same path (or IMS_REGRESS_ROOT set in their environment
    to their checkout of the same commit) and its .venv.
  * `--cluster slurm|lsf|pbs|sge` (make regress CLUSTER=...): dask-jobqueue starts the workers as
    batch jobs, with the options of the user's config file (`--cluster-config`, default
    regress-cluster.yaml at the top of the repository; see README "Regressions on a cluster").
    `--print-job-script` prints the job script that would be submitted and exits.

How: every simulator run is one Dask task (`execute`). The task starts
`python -m imsflow.regress_dask run-one ...` in its own process group and waits at most
`timeout` seconds; a run that takes longer is killed (the whole group: Python, simulator) and
reported as TIMEOUT with its repro command. The child watches its parent: when the worker
dies, the child kills its group, so an orphaned simulator never writes into a directory a
re-executed run is using. The task returns the run's outcome and the files the report needs
(functional coverage JSON, coverage.dat, the failure's waveform window), so the submitting
machine writes the results directory even when the workers' filesystem is not shared.

Faults: a worker lost mid-run makes the Dask scheduler re-execute its tasks elsewhere (task
keys are the run ids); `collect` keeps the first outcome of each run id and counts any
duplicate, so every run is reported exactly once. Ctrl-C: `collect` returns what finished, the
caller writes the partial report.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOBQUEUE = {"slurm": "SLURMCluster", "lsf": "LSFCluster", "pbs": "PBSCluster", "sge": "SGECluster"}
DEFAULT_CLUSTER_CONFIG = ROOT / "regress-cluster.yaml"
OUTCOME_MARK = "IMS_OUTCOME "


def worker_root() -> Path:
    """The checkout a worker runs in: IMS_REGRESS_ROOT, else the same path as the submitter's."""
    return Path(os.environ.get("IMS_REGRESS_ROOT") or ROOT)


# ----------------------------------------------------------------------------- clusters
def load_cluster_config(kind: str, path: Path | str | None) -> dict:
    """The `kind:` section of the user's YAML file, as dask-jobqueue keyword arguments
    (plus our own `jobs:`, the number of batch jobs to start)."""
    import yaml
    p = Path(path) if path else DEFAULT_CLUSTER_CONFIG
    if not p.exists():
        raise SystemExit(f"regress: CLUSTER={kind} needs a config file; {p} does not exist "
                         f"(README 'Regressions on a cluster' has an example)")
    try:
        doc = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError as exc:
        raise SystemExit(f"regress: {p}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get(kind), dict):
        raise SystemExit(f"regress: {p} has no `{kind}:` section (found: {', '.join(map(str, doc)) or 'nothing'})")
    return dict(doc[kind])


def jobqueue_cluster(kind: str, config: dict, dry_run: bool = False):
    """A dask-jobqueue cluster object from the config (not yet scaled)."""
    import dask_jobqueue
    if kind not in JOBQUEUE:
        raise SystemExit(f"regress: CLUSTER={kind!r}: choose one of {', '.join(JOBQUEUE)}")
    opts = dict(config)
    opts.pop("jobs", None)
    # Workers run one simulator at a time: the simulator is the CPU user, not Dask.
    opts.setdefault("processes", 1)
    opts.setdefault("cores", 1)
    opts.setdefault("memory", "2GB")
    env = list(opts.pop("job_script_prologue", []) or [])
    env.append(f"export IMS_REGRESS_ROOT={opts.pop('repository', str(ROOT))}")
    opts["job_script_prologue"] = env
    if dry_run:
        # Nothing is submitted: the scheduler of this object only listens on loopback.
        opts["scheduler_options"] = {"host": "127.0.0.1", "dashboard_address": None}
    try:
        return getattr(dask_jobqueue, JOBQUEUE[kind])(**opts)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"regress: CLUSTER={kind}: bad option in the config file: "
                         f"{str(exc).splitlines()[0]}") from None


@dataclass
class Where:
    client: object
    description: str
    closers: list = field(default_factory=list)

    def close(self) -> None:
        for c in [self.client] + self.closers:
            try:
                c.close()
            except Exception:
                pass


def connect(jobs: int, scheduler: str | None = None, cluster: str | None = None,
            cluster_config: str | None = None) -> Where:
    from distributed import Client, LocalCluster
    if scheduler and cluster:
        raise SystemExit("regress: give SCHEDULER or CLUSTER, not both")
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise SystemExit(f"regress: cannot reach the Dask scheduler {scheduler}: {exc}") from None
        n = len(client.scheduler_info().get("workers", {}))
        return Where(client, f"Dask scheduler {scheduler} ({n} workers now)")
    if cluster:
        cfg = load_cluster_config(cluster, cluster_config)
        n_jobs = int(cfg.get("jobs", jobs))
        jc = jobqueue_cluster(cluster, cfg)
        jc.scale(jobs=n_jobs)
        return Where(Client(jc), f"dask-jobqueue {cluster} ({n_jobs} jobs requested)", [jc])
    lc = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, silence_logs=40)
    n = max(1, jobs)
    return Where(Client(lc), f"local Dask cluster ({n} worker{'s' if n != 1 else ''})", [lc])


# ----------------------------------------------------------------------------- one run
def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def execute(payload: dict, timeout: float, runner: str | None = None, build=None) -> dict:
    """The Dask task of one run: a child process with a time limit. `build` is the (ignored)
    result of the build task this run waits for. Returns the outcome dict (with artifacts)."""
    root = worker_root()
    cmd = [sys.executable, "-m", "imsflow.regress_dask", "run-one", json.dumps(payload)]
    if runner:
        cmd += ["--runner", runner]
    env = dict(os.environ)
    if payload.get("dut"):        # the run process selects the design from these (tb/dut_profile.py)
        env["IMS_DUT"], env["IMS_DEFINES"] = payload["dut"], payload.get("defines", "")
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        return {"status": "timeout", "wall_s": time.perf_counter() - t0,
                "detail": f"killed after the {timeout:g} s time limit (hung or too slow)"}
    finally:
        if proc.poll() is None:
            _kill_group(proc)
    for line in reversed(out.splitlines()):
        if line.startswith(OUTCOME_MARK):
            res = json.loads(line[len(OUTCOME_MARK):])
            res.setdefault("wall_s", time.perf_counter() - t0)
            return res
    tail = (err.strip().splitlines() or ["no output"])[-1]
    return {"status": "error", "wall_s": time.perf_counter() - t0,
            "detail": f"run process exited {proc.returncode} without an outcome: {tail}"}


def build_task(sim_name: str, params: dict, coverage: bool, mutant: str | None = None,
               dut: dict | None = None) -> str:
    """Build one configuration on the worker that runs this task (shared filesystem: once).
    `dut` ({"dut": profile path, "defines": ...}) selects the design as make's DUT=/DEFINES= did."""
    sys.path.insert(0, str(worker_root()))
    from imsflow import regress, sim
    if dut:
        sim.select_profile(dut.get("dut"), dut.get("defines", ""))
    return str(sim.build(sim_name, params, toplevel=sim.PROFILE.top, coverage=coverage,
                         **regress.mutant_sources(mutant)))


def _watch_parent() -> None:
    """Kill our whole process group when the process that started us (the worker) is gone."""
    parent = os.getppid()

    def loop():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os.killpg(0, signal.SIGKILL)
    threading.Thread(target=loop, daemon=True).start()


def run_one_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="imsflow.regress_dask run-one")
    ap.add_argument("payload")
    ap.add_argument("--runner", default=None, help="module:function instead of the simulator run (tests)")
    args = ap.parse_args(argv)
    _watch_parent()
    payload = json.loads(args.payload)
    from imsflow import regress
    if args.runner:
        mod, _, fn = args.runner.partition(":")
        result = getattr(importlib.import_module(mod), fn)(payload)
    else:
        result = regress.execute_payload(payload)
    print(OUTCOME_MARK + json.dumps(result), flush=True)
    return 0


# ----------------------------------------------------------------------------- collecting
@dataclass
class Collected:
    results: dict = field(default_factory=dict)     # run id -> outcome dict (first one wins)
    duplicates: int = 0
    interrupted: bool = False
    not_run: list = field(default_factory=list)


def collect(client, submissions: dict, on_result=None) -> Collected:
    """Wait for every run id's future; one outcome per run id. `submissions`: run id -> future
    (emptied as results arrive). Ctrl-C stops waiting, cancels what is left and returns what
    finished."""
    from distributed import as_completed
    got = Collected()
    planned = list(submissions)
    by_future = {f.key: rid for rid, f in submissions.items()}
    ac = as_completed(list(submissions.values()), with_results=False)
    try:
        for fut in ac:
            rid = by_future[fut.key]
            try:
                res = fut.result()
            except Exception as exc:   # KilledWorker after repeated worker deaths, a lost task
                res = {"status": "error", "detail": f"{type(exc).__name__}: {exc}".splitlines()[0]}
            # Forget the future: a result still referenced when its worker dies would be
            # recomputed by the scheduler, i.e. a finished simulation run again for nothing.
            submissions.pop(rid, None)
            fut.release()
            del fut
            if rid in got.results:
                got.duplicates += 1
                continue
            res["run_id"] = rid
            got.results[rid] = res
            if on_result is not None:
                on_result(rid, res)
    except KeyboardInterrupt:
        got.interrupted = True
        left = list(submissions.values())
        got.not_run = [rid for rid in planned if rid not in got.results]
        try:
            client.cancel(left, force=True)
        except Exception:
            pass
    return got


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run-one"]:
        return run_one_main(argv[1:])
    print("usage: python -m imsflow.regress_dask run-one PAYLOAD [--runner mod:fn]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
