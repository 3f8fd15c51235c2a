"""The few calls of Flink's REST API that operating the analytics job needs: list jobs, stop one
with a savepoint, cancel one. The same endpoint serves the web UI."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class FlinkRestError(RuntimeError):
    """The cluster refused or could not be reached; the message says what to check."""


@dataclass(frozen=True)
class JobSummary:
    job_id: str
    name: str
    state: str
    start_time_ms: int
    duration_ms: int
    tasks_total: int


class FlinkRest:
    def __init__(self, address: str, timeout_s: float = 10.0) -> None:
        """address: host:port or a URL of the JobManager's REST endpoint."""
        self.url = address if "://" in address else f"http://{address}"
        self.url = self.url.rstrip("/")
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise FlinkRestError(f"{method} {self.url}{path}: HTTP {exc.code} {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise FlinkRestError(
                f"no Flink REST endpoint at {self.url} ({exc}); is the cluster up "
                "(`tweetflow cluster up`) and is the address host:port of its REST port?"
            ) from exc
        return json.loads(text) if text else None

    def web_ui(self, job_id: str = "") -> str:
        return f"{self.url}/#/job/running/{job_id}/overview" if job_id else self.url

    def overview(self) -> dict[str, Any]:
        """TaskManagers, slots, jobs by state and the Flink version."""
        return self._call("GET", "/overview")

    def configuration(self) -> dict[str, str]:
        """The JobManager's configuration: what the cluster sets for every job."""
        return {entry["key"]: entry["value"] for entry in self._call("GET", "/jobmanager/config")}

    def checkpoint_config(self, job_id: str) -> dict[str, Any]:
        """How the job checkpoints: interval (ms), mode, retention, as the cluster runs it."""
        return self._call("GET", f"/jobs/{job_id}/checkpoints/config")

    def jobs(self) -> list[JobSummary]:
        listed = self._call("GET", "/jobs/overview")["jobs"]
        return [
            JobSummary(
                job_id=j["jid"],
                name=j["name"],
                state=j["state"],
                start_time_ms=j["start-time"],
                duration_ms=j["duration"],
                tasks_total=j["tasks"]["total"],
            )
            for j in sorted(listed, key=lambda j: j["start-time"])
        ]

    def running(self, name: str | None = None) -> list[JobSummary]:
        return [j for j in self.jobs() if j.state == "RUNNING" and (name is None or j.name == name)]

    def job(self, job_id: str) -> dict[str, Any]:
        return self._call("GET", f"/jobs/{job_id}")

    def taskmanagers_of(self, job_id: str) -> set[str]:
        """Ids of the TaskManagers that run at least one subtask of the job."""
        used: set[str] = set()
        for vertex in self.job(job_id)["vertices"]:
            detail = self._call("GET", f"/jobs/{job_id}/vertices/{vertex['id']}/taskmanagers")
            used |= {tm["taskmanager-id"] for tm in detail["taskmanagers"]}
        return used

    def restored_from(self, job_id: str) -> str | None:
        """The savepoint or checkpoint the job's state was restored from, if any."""
        restored = self._call("GET", f"/jobs/{job_id}/checkpoints")["latest"]["restored"]
        return str(restored["external_path"]) if restored else None

    def checkpoints_completed(self, job_id: str) -> int:
        return int(self._call("GET", f"/jobs/{job_id}/checkpoints")["counts"]["completed"])

    def restarts(self, job_id: str) -> int:
        """How often the job restarted after a failure (its failures kept in the history)."""
        history = self._call("GET", f"/jobs/{job_id}/exceptions")["exceptionHistory"]["entries"]
        return len(history)

    def stop_with_savepoint(
        self, job_id: str, directory: str | None = None, timeout_s: float = 300.0
    ) -> str:
        """Stop the job after a savepoint (sources stop first, windows are not fired); returns
        the savepoint's location to restart from."""
        body: dict[str, Any] = {"drain": False}
        if directory:
            body["targetDirectory"] = directory
        trigger = self._call("POST", f"/jobs/{job_id}/stop", body)["request-id"]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self._call("GET", f"/jobs/{job_id}/savepoints/{trigger}")
            if status["status"]["id"] == "COMPLETED":
                operation = status.get("operation") or {}
                if "location" in operation:
                    return str(operation["location"])
                cause = operation.get("failure-cause", {}).get("stack-trace", "")
                raise FlinkRestError(
                    f"the savepoint of job {job_id} failed; the job keeps running.\n{cause[:800]}"
                )
            time.sleep(0.5)
        raise FlinkRestError(f"the savepoint of job {job_id} did not complete in {timeout_s} s")

    def cancel(self, job_id: str) -> None:
        self._call("PATCH", f"/jobs/{job_id}?mode=cancel")

    def wait_for_state(self, job_id: str, states: set[str], timeout_s: float = 120.0) -> str:
        deadline = time.monotonic() + timeout_s
        state = ""
        while time.monotonic() < deadline:
            state = self.job(job_id)["state"]
            if state in states:
                return state
            time.sleep(0.5)
        raise FlinkRestError(f"job {job_id} is {state}, not {sorted(states)}, after {timeout_s} s")
