"""A few SQL statements as one Flink job in a process of its own, on the embedded mini-cluster
with tweetflow's Java jar in its lib/ (as the job has it): `python -m tests.support.sql_job
SCRIPT JAR LOG_DIR` runs SCRIPT's statements (split()), waits for
the job to end, and exits 1 with Flink's error on its last line when it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tweetflow.stack import process

REPOSITORY = Path(__file__).resolve().parents[2]


def run(script: str, jar: Path, log_dir: Path, timeout_s: float = 240) -> tuple[int, str]:
    """The job's exit status and everything it printed."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "job.sql"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.sql_job", str(path), str(jar), str(log_dir)],
        cwd=REPOSITORY, env=process.child_environment(), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout_s, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def flink_log(log_dir: Path) -> str:
    return "".join(f.read_text(errors="replace") for f in sorted(log_dir.glob("*.log")))


def split(script: str) -> list[str]:
    """Statements end with a ";" at a line's end, except inside a statement set (to its END;)."""
    statements, current, in_set = [], [], False
    for line in script.splitlines():
        current.append(line)
        in_set = in_set or line.strip().upper().startswith("EXECUTE STATEMENT SET")
        if line.rstrip().endswith(";") and (not in_set or line.strip().upper() == "END;"):
            statements.append("\n".join(current).strip().rstrip(";"))
            current, in_set = [], False
    return [s for s in statements if s]


def main(script: Path, jar: Path, log_dir: Path) -> int:
    from flink_jobs import gateway, java_functions

    os.environ.setdefault("FLINK_HOME", str(gateway.pyflink_home()))
    os.environ["FLINK_LIB_DIR"] = str(java_functions.lib_dir(java_functions.flink_lib(), jar))
    os.environ["FLINK_LOG_DIR"] = str(log_dir)
    gateway.start(log_dir)
    from pyflink.table import EnvironmentSettings, TableEnvironment

    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "1")
    env.get_config().set("table.local-time-zone", "UTC")
    statements = split(script.read_text())
    try:
        result = None
        for statement in statements:
            result = env.execute_sql(statement)
        if result is not None:
            result.wait()
    except Exception as error:
        print(f"job failed: {error}", flush=True)
        return 1
    finally:
        gateway.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
