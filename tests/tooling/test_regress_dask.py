"""The regression's Dask machinery under faults (imsflow/regress.py, imsflow/regress_dask.py).

The runs here are light-weight stand-ins (imsflow/regress_fake_runs.py: each sleeps about a
second in the run's child process and reports pass); everything around them is the real code
path of `make regress`: tasks submitted to Dask with the run id as key, the child process per
run with its time limit and parent watchdog, re-execution by the scheduler, dedupe by run id,
results.json, junit.xml and report.html.

* a real `dask scheduler` and two `dask worker` processes on 127.0.0.1: one worker is killed
  (SIGKILL) while it runs a task; every run must be reported exactly once, the interrupted
  run must have been started twice (re-executed), and its orphaned run process must be gone;
* a run that hangs is killed at the time limit and reported as TIMEOUT with its repro command;
* Ctrl-C (SIGINT to the process group, as a terminal sends it) stops the regression, exit 130,
  and the partial report says which runs did not finish.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from imsflow import regress

ROOT = Path(__file__).resolve().parents[2]
FAKE = "imsflow.regress_fake_runs:sleepy_run"
DASK = Path(sys.executable).parent / "dask"


def env_with(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def log_lines(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def wait_for(cond, timeout: float, what: str):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def loopback_cluster(tmp_path):
    """A dask scheduler and two single-thread workers (no nanny: a killed worker stays dead)."""
    if not DASK.exists():
        pytest.fail(f"{DASK} missing: the dask CLI comes with the `distributed` pin in requirements.txt")
    sched_file = tmp_path / "scheduler.json"
    # The run processes inherit the workers' environment: the stand-in's knobs go here.
    env = env_with(IMS_FAKE_LOG=tmp_path / "runs.log", IMS_FAKE_SLEEP="1.0")
    procs = []

    def start(args, name, env=env):
        out = open(tmp_path / f"{name}.log", "w")
        p = subprocess.Popen([str(DASK)] + args, env=env, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, cwd=ROOT)
        procs.append(p)
        return p
    start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
           "--scheduler-file", str(sched_file)], "scheduler")
    wait_for(lambda: sched_file.exists() and sched_file.stat().st_size > 0, 60, "the scheduler file")
    address = json.loads(sched_file.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:"), address
    # Worker w1 (the one the test kills) is slow: a run it starts is surely still running
    # when it is killed, so its re-execution is certain, not a race with the kill.
    workers = [start(["worker", "--scheduler-file", str(sched_file), "--nthreads", "1", "--no-nanny",
                      "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{k}"], f"worker{k}",
                     env if k == 0 else dict(env, IMS_FAKE_SLEEP="60"))
               for k in range(2)]
    from distributed import Client
    with Client(address, timeout="30s") as c:
        c.wait_for_workers(2, timeout=60)
    yield address, workers
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def test_lost_worker_runs_reported_once(loopback_cluster, tmp_path):
    address, workers = loopback_cluster
    victim = workers[1]
    log = tmp_path / "runs.log"                       # written by the run processes (fixture's env)
    killed: dict = {}

    def killer():
        # Kill the victim as soon as it is inside a run (started, not ended).
        def running_on_victim():
            lines = log_lines(log)
            ended = {(l[1], l[3]) for l in lines if l[0] == "end"}
            for l in lines:
                if l[0] == "start" and int(l[2]) == victim.pid and (l[1], l[3]) not in ended:
                    return l
            return None
        line = wait_for(running_on_victim, 60, "a run on the victim worker")
        os.killpg(victim.pid, signal.SIGKILL)
        killed["run"], killed["child"] = line[1], int(line[3])
    t = threading.Thread(target=killer, daemon=True)
    t.start()
    out = tmp_path / "results"
    rc = regress.main(["--seeds", "4", "--tests", "UvmSmoke,UvmMaskStorm,UvmFuncMaskStorm", "--no-directed",
                       "--sim", "verilator", "--scheduler", address, "--runner", FAKE, "--timeout", "60",
                       "--out", str(out)])
    t.join(5)
    assert killed, "the victim worker was never seen running a task"
    doc = json.loads((out / "results.json").read_text())
    planned = [c.run_id for c in regress.plan(4, 1, {}, ["UvmSmoke", "UvmMaskStorm", "UvmFuncMaskStorm"], False)[0]]
    reported = [o["run_id"] for o in doc["outcomes"]]
    assert sorted(reported) == sorted(planned) and len(set(reported)) == len(reported) == 12
    assert all(o["status"] == "pass" for o in doc["outcomes"]), [o["detail"] for o in doc["outcomes"]]
    assert rc == 0 and not doc["interrupted"] and doc["where"].startswith(f"Dask scheduler {address}")
    starts = [l for l in log_lines(log) if l[0] == "start" and l[1] == killed["run"]]
    ends = [l for l in log_lines(log) if l[0] == "end" and l[1] == killed["run"]]
    assert len(starts) >= 2 and len(ends) == 1, f"run {killed['run']}: starts {starts}, ends {ends}"
    assert int(ends[0][2]) != victim.pid
    # Only what was in flight on the victim ran twice: finished runs whose results lived on
    # the dead worker are not recomputed (the regression releases each result it collected).
    from collections import Counter
    twice = [rid for rid, n in Counter(l[1] for l in log_lines(log) if l[0] == "start").items() if n > 1]
    assert twice == [killed["run"]], twice
    # The run process the dead worker left behind killed itself (parent watchdog).
    wait_for(lambda: not alive(killed["child"]), 10, f"the orphaned run process {killed['child']} to exit")
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite.get("tests") == "12" and suite.get("failures") == "0"


def test_hung_run_is_killed_and_reported(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMS_FAKE_HANG", "UvmMaskStorm")
    monkeypatch.setenv("IMS_FAKE_SLEEP", "0.2")
    log = tmp_path / "runs.log"
    monkeypatch.setenv("IMS_FAKE_LOG", str(log))
    out = tmp_path / "results"
    t0 = time.time()
    rc = regress.main(["--seeds", "1", "--tests", "UvmSmoke,UvmMaskStorm", "--no-directed", "--sim", "verilator",
                       "-j", "2", "--runner", FAKE, "--timeout", "4", "--out", str(out)])
    assert time.time() - t0 < 120                     # the 4 s limit, plus starting a local cluster
    assert rc == 1
    doc = json.loads((out / "results.json").read_text())
    by = {o["case"]["test"]: o for o in doc["outcomes"]}
    assert by["UvmSmoke"]["status"] == "pass"
    hung = by["UvmMaskStorm"]
    assert hung["status"] == "timeout" and "4 s time limit" in hung["detail"]
    assert "make waves TEST=UvmMaskStorm SEED=1 SIM=verilator NUM_SLOTS=64" in hung["detail"]
    text = capsys.readouterr().out
    assert "TIMEOUT UvmMaskStorm seed 1" in text and "reproduce: make waves TEST=UvmMaskStorm SEED=1" in text
    # the hung run process was killed, not left behind
    pids = [int(l[3]) for l in log_lines(log) if l[0] == "start" and l[1].startswith("UvmMaskStorm")]
    assert pids and all(not alive(p) for p in pids)
    html = (out / "report.html").read_text()
    assert "TIMEOUT: UvmMaskStorm seed 1" in html


def test_ctrl_c_writes_partial_report(tmp_path):
    out = tmp_path / "results"
    log = tmp_path / "runs.log"
    env = env_with(IMS_FAKE_SLEEP="1.5", IMS_FAKE_LOG=log)
    p = subprocess.Popen([sys.executable, "-m", "imsflow.regress", "--seeds", "4", "--tests", "UvmSmoke,UvmMaskStorm",
                          "--no-directed", "--sim", "verilator", "-j", "2", "--runner", FAKE, "--out", str(out)],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        # two runs collected by the regression (its progress lines), not merely finished
        wait_for(lambda: sum(1 for l in list(lines) if l.startswith("[") and "/8]" in l) >= 2, 120,
                 "two collected runs")
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=60)
        reader.join(10)
        text = "".join(lines)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 130, text[-2000:]
    assert "interrupted (Ctrl-C)" in text
    doc = json.loads((out / "results.json").read_text())
    done = [o["run_id"] for o in doc["outcomes"]]
    # a run whose result was still on its way when Ctrl-C came counts as not finished
    assert doc["interrupted"] and doc["not_run"] and 2 <= len(done) < 8
    assert sorted(done + doc["not_run"]) == sorted(c.run_id for c in regress.plan(
        4, 1, {}, ["UvmSmoke", "UvmMaskStorm"], False)[0])
    assert "PARTIAL: the regression was interrupted" in (out / "report.html").read_text()
    # nothing left running
    pids = [int(l[3]) for l in log_lines(log) if l[0] == "start"]
    wait_for(lambda: all(not alive(x) for x in pids), 10, "the run processes to exit")


def test_jobqueue_job_script_from_the_config_file(tmp_path):
    """CLUSTER=slurm|lsf: the user's YAML becomes the batch job dask-jobqueue would submit
    (nothing is submitted; the dry-run scheduler listens on loopback only)."""
    from imsflow import regress_dask
    example = ROOT / "regress-cluster.example.yaml"
    scripts = {}
    for kind in ("slurm", "lsf"):
        jc = regress_dask.jobqueue_cluster(kind, regress_dask.load_cluster_config(kind, example), dry_run=True)
        try:
            scripts[kind] = jc.job_script()
        finally:
            jc.close()
    s = scripts["slurm"]
    assert "#SBATCH -p normal" in s and "#SBATCH -A my-project" in s and "#SBATCH -t 02:00:00" in s
    assert "export IMS_REGRESS_ROOT=/shared/ims" in s and "/shared/ims/.venv/bin/python -m distributed.cli.dask_worker" in s
    assert "tcp://127.0.0.1:" in s and "--nthreads 1" in s
    assert "#BSUB -q normal" in scripts["lsf"] and "#BSUB -W 02:00" in scripts["lsf"]
    bad = tmp_path / "c.yaml"
    bad.write_text("slurm:\n  no_such_option: 1\n")
    with pytest.raises(SystemExit, match="bad option in the config file"):
        regress_dask.jobqueue_cluster("slurm", regress_dask.load_cluster_config("slurm", bad), dry_run=True)
    with pytest.raises(SystemExit, match="no `pbs:` section"):
        regress_dask.load_cluster_config("pbs", bad)
