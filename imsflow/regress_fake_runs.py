"""Light-weight stand-ins for a simulator run, for the tests of the regression machinery
(tests/tooling/test_regress_dask.py) and for exercising Dask at scale without burning CPU.

`make regress` calls `imsflow.regress_dask.execute` -> child process `run-one` -> this function
instead of the simulator when started with `--runner imsflow.regress_fake_runs:sleepy_run`;
everything around it (Dask submission, the time limit, re-execution after a lost worker,
dedupe by run id, results, JUnit, report) is the real code path.

Environment knobs (read in the child process):
  IMS_FAKE_SLEEP    seconds per run (default 1.0)
  IMS_FAKE_LOG      append "start|end <run id> <worker pid> <run process pid>" lines
  IMS_FAKE_HANG     comma-separated test names that never finish (time-limit tests)
  IMS_FAKE_FAIL     comma-separated seeds whose run fails with a scoreboard-style mismatch
"""

from __future__ import annotations

import os
import socket
import time


def _log(line: str) -> None:
    path = os.environ.get("IMS_FAKE_LOG")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())


def sleepy_run(payload: dict) -> dict:
    from imsflow.regress import Case, case_from_dict
    case: Case = case_from_dict(payload["case"])
    rid = case.run_id
    worker_pid = os.getppid()
    _log(f"start {rid} {worker_pid} {os.getpid()}")
    if case.test in os.environ.get("IMS_FAKE_HANG", "").split(","):
        time.sleep(3600)
    time.sleep(float(os.environ.get("IMS_FAKE_SLEEP", "1.0")))
    fail = str(case.seed) in os.environ.get("IMS_FAKE_FAIL", "").split(",")
    _log(f"end {rid} {worker_pid} {os.getpid()}")
    res = {"run_id": rid, "case": payload["case"], "passed": not fail, "status": "fail" if fail else "pass",
           "messages": 10, "sim_time_ns": 1000.0, "detail": "fake mismatch" if fail else "",
           "failed_tests": [], "run_dir": None, "testcases": 1, "worker": f"{socket.gethostname()}:{worker_pid}",
           "mismatches": [{"rule": "FAKE_MISMATCH", "cycle": 7, "slot": 3, "irq": 40, "text": "fake"}] if fail else [],
           "artifacts": {}}
    if payload.get("mode") == "waves":
        return {"error": "fake run: no waves"}
    return res
