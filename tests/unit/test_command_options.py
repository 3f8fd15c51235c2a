"""Every command refuses a value outside its range before it starts anything, and says the
allowed range (`tweetflow produce` has its own: test_produce_options.py)."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tweetflow.cli.main import app

# Nothing listens here: a value that got past the checks would fail on a service instead.
UNREACHABLE = {
    "TWEETFLOW_KAFKA_SERVERS": "127.0.0.1:9",
    "TWEETFLOW_ES_HOSTS": "http://127.0.0.1:9",
    "TWEETFLOW_STATE_DIR": "/nonexistent/tweetflow-state",
}


BOX = "│╭╮╰╯─"


def at_least(option: str, low: str) -> str:
    return f"'{option}': Input should be greater than or equal to {low}"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["job", "run", "--watermark-delay", "-1"], at_least("--watermark-delay", "0")),
        (["job", "run", "--parallelism", "-1"], at_least("--parallelism", "0")),
        (["demo", "--tweets", "-5"], at_least("--tweets", "1")),
        (["demo", "--tweets", "0"], at_least("--tweets", "1")),
        (["es", "prune", "--keep-days", "0"], at_least("--keep-days", "1")),
        (["dead-letters", "--newest", "-2"], at_least("--newest", "0")),
        (["watch", "--interval", "0"], at_least("--interval", "0.5")),
        (["stack", "logs", "-n", "0"], at_least("-n", "1")),
        (["cluster", "logs", "-n", "0"], at_least("-n", "1")),
        (["live", "--rate", "-1"], at_least("--rate", "0")),
    ],
)
def test_a_wrong_value_is_refused_with_its_range(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, args, env=UNREACHABLE)
    # The message is boxed and wrapped for the terminal: read it without the box.
    output = " ".join(result.output.translate(str.maketrans("", "", BOX)).split())
    assert result.exit_code == 2, output
    assert says in output
    assert "Traceback" not in output


def test_job_run_without_kafka_or_elasticsearch_says_so_at_once() -> None:
    """It printed "submitted" and then waited in silence (Kafka down) or died in a traceback
    (Elasticsearch down)."""
    result = CliRunner().invoke(app, ["job", "run", "--bounded"], env=UNREACHABLE)
    assert result.exit_code == 1
    assert "Kafka at 127.0.0.1:9 does not answer" in result.output
    assert "tweetflow stack up" in result.output and "TWEETFLOW_KAFKA_SERVERS" in result.output
    with socket.socket() as listener:  # something answers where Kafka is said to be
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        env = UNREACHABLE | {"TWEETFLOW_KAFKA_SERVERS": f"127.0.0.1:{port}"}
        result = CliRunner().invoke(app, ["job", "run", "--bounded"], env=env)
    assert result.exit_code == 1
    assert "Elasticsearch at http://127.0.0.1:9 does not answer" in result.output
    assert "Traceback" not in result.output and "submitted" not in result.output


def test_job_run_on_a_cluster_that_is_not_there_says_so_before_submitting(
    tmp_path: Path,
) -> None:
    """The pre-flight check of `job run --jobmanager`: Kafka and Elasticsearch answer, the
    JobManager's address does not."""
    with socket.socket() as kafka, socket.socket() as es, socket.socket() as probe:
        for listener in (kafka, es):
            listener.bind(("127.0.0.1", 0))
            listener.listen()
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
        env = {
            "TWEETFLOW_KAFKA_SERVERS": f"127.0.0.1:{kafka.getsockname()[1]}",
            "TWEETFLOW_ES_HOSTS": f"http://127.0.0.1:{es.getsockname()[1]}",
            "TWEETFLOW_STATE_DIR": str(tmp_path),
        }
        result = CliRunner().invoke(
            app, ["job", "run", "--jobmanager", f"127.0.0.1:{free}"], env=env
        )
    assert result.exit_code == 1, result.output
    assert f"no Flink REST endpoint at http://127.0.0.1:{free}" in result.output
    assert "tweetflow cluster up" in result.output
    assert "Traceback" not in result.output and "submitted" not in result.output


@pytest.mark.parametrize("command", [["stack", "up"], ["cluster", "up"], ["job", "run"]])
def test_an_unwritable_state_directory_is_named(command: list[str], tmp_path: Path) -> None:
    """Each was a traceback from deep inside the start-up. (Under a file rather than in a
    read-only directory: the tests may run as root, whom permissions do not stop.)"""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    state = blocker / "state"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    env = UNREACHABLE | {
        "TWEETFLOW_STATE_DIR": str(state),
        "TWEETFLOW_KAFKA_SERVERS": f"127.0.0.1:{port}",
        "TWEETFLOW_ES_HOSTS": f"http://127.0.0.1:{port}",
    }
    try:
        result = CliRunner().invoke(app, command, env=env)
    finally:
        listener.close()
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert f"TWEETFLOW_STATE_DIR={state}: cannot write there (Not a directory)" in output


def test_a_savepoint_that_is_not_there_is_named() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    env = UNREACHABLE | {
        "TWEETFLOW_STATE_DIR": tempfile.mkdtemp(),
        "TWEETFLOW_KAFKA_SERVERS": f"127.0.0.1:{port}",
        "TWEETFLOW_ES_HOSTS": f"http://127.0.0.1:{port}",
    }
    try:
        result = CliRunner().invoke(
            app, ["job", "run", "--from-savepoint", "/nonexistent"], env=env
        )
    finally:
        listener.close()
    assert result.exit_code == 1
    assert "--from-savepoint /nonexistent: no such savepoint or checkpoint" in result.output


def test_es_prune_without_elasticsearch_says_so() -> None:
    result = CliRunner().invoke(app, ["es", "prune"], env=UNREACHABLE)
    assert result.exit_code == 1
    assert "Elasticsearch at http://127.0.0.1:9 does not answer" in result.output
    assert "Traceback" not in result.output


def test_stack_logs_of_a_service_the_stack_has_not() -> None:
    """It printed nothing and exited 0."""
    result = CliRunner().invoke(app, ["stack", "logs", "nonsense"], env=UNREACHABLE)
    assert result.exit_code == 2
    assert "no service 'nonsense'; the stack has kafka, elasticsearch" in " ".join(
        result.output.replace("│", " ").split()
    )


def test_dead_letters_without_kafka_says_so_at_once() -> None:
    """It waited half a minute for the Kafka client to give up before saying anything."""
    result = CliRunner().invoke(app, ["dead-letters"], env=UNREACHABLE)
    assert result.exit_code == 1
    assert "Kafka at 127.0.0.1:9 does not answer" in result.output


@pytest.mark.parametrize(
    "command", [["sql", "client", "-f", "build/sql/job.sql"], ["cluster", "flink", "list"]]
)
def test_flinks_own_tools_without_a_cluster_say_so_at_once(
    command: list[str], tmp_path: Path
) -> None:
    """The SQL client took 77 s and exited 0 as if the script had run; `flink list` 62 s."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    env = UNREACHABLE | {
        "TWEETFLOW_STATE_DIR": str(tmp_path),
        "TWEETFLOW_FLINK_REST_PORT": str(free),
    }
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 1
    assert f"the Flink cluster at http://127.0.0.1:{free} does not answer" in result.output
    assert "tweetflow cluster up" in result.output


def test_job_run_goes_on_from_its_groups_offsets_unless_told_otherwise() -> None:
    """A restart read the whole topic again; now `job run` (and `job explain`, which plans the
    same job) start at the consumer group's commits: the earliest offset for a new group."""
    import typer.main

    from flink_jobs.config import start_position

    job = typer.main.get_command(app).commands["job"]  # type: ignore[attr-defined]
    for name in ("run", "explain"):
        [start] = [p for p in job.commands[name].params if p.name == "start"]
        assert start_position(start.default) == ("group-offsets", 0), name


def test_the_options_a_cluster_job_is_restarted_with_are_job_runs_own() -> None:
    """`job stop` prints them in its restart command: the savepoint only maps onto the same
    queries and options."""
    import typer.main

    from tweetflow.cli.job import Shape, _as_options

    shape = Shape(False, "off", "", 2, None, "200ms", "latest", ["users", "live_tweets"],
                  ["a.b=x y"], 5000, "90 s", 30, 25)  # fmt: skip
    options = _as_options(shape)
    assert options == [
        "--enrichment", "off", "--watermark-delay", "2", "--refresh-interval", "200ms",
        "--hashtag-capacity", "5000", "--dedup-horizon", "90 s", "--trend-slide", "30",
        "--trend-min-authors", "25", "--without", "users", "--without", "live_tweets",
        "--set", "a.b=x y",
    ]  # fmt: skip
    run = typer.main.get_command(app).commands["job"].commands["run"]  # type: ignore[attr-defined]
    known = {name for param in run.params for name in param.opts}
    assert {o for o in options if o.startswith("--")} <= known


@pytest.mark.parametrize("command", [["job", "run"], ["job", "explain"]])
def test_a_dedup_horizon_flink_cannot_read_is_refused_in_one_line(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--dedup-horizon", "5 minuets"], env=UNREACHABLE)
    assert result.exit_code == 1, result.output
    assert "dedup horizon '5 minuets': a number and a unit, e.g. '5 min'" in result.output
    assert "Traceback" not in result.output


def test_dedup_horizons_are_read_as_flink_reads_them() -> None:
    from flink_jobs.config import dedup_horizon

    for value in ("5 min", "90 s", "1 h", "300000 ms", "2min", " 10 minutes "):
        assert dedup_horizon(value) == value.strip()
    for value in ("", "5", "five min", "5 mins later", "-1 s", "1.5 h"):
        with pytest.raises(ValueError, match="a number and a unit"):
            dedup_horizon(value)
