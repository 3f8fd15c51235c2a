"""The job as Flink SQL client scripts: the same files of sql/, with their parameters filled in.

The SQL client has no variables, so `tweetflow sql render` writes:
  init.sql        SET statements, then the source, views and sink tables (`sql-client.sh -i`)
  job.sql         every INSERT in one statement set: the whole job, one read of the topic
  queries/<q>.sql one query (its INSERTs as a statement set), to run on its own with `-f`
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flink_jobs import catalog, sql_template
from flink_jobs.config import JobConfig
from flink_jobs.render import session_options, statements

HEADER = (
    "-- Rendered by `tweetflow sql render` from sql/ with the parameters of one configuration.\n"
    "-- Edit the files under sql/ and render again; this file is overwritten.\n"
)


@dataclass(frozen=True)
class Scripts:
    init: Path
    job: Path
    queries: dict[str, Path]


def _set(key: str, value: str) -> str:
    quote = lambda text: "'" + text.replace("'", "''") + "'"  # noqa: E731
    return f"SET {quote(key)} = {quote(value)};"


def statement_set(inserts: list[str]) -> str:
    if len(inserts) == 1:
        return inserts[0] + ";\n"
    body = "".join(f"{insert};\n" for insert in inserts)
    return f"EXECUTE STATEMENT SET\nBEGIN\n{body}END;\n"


def init_script(config: JobConfig) -> str:
    cluster = dict(config.cluster_options) if config.remote else None
    settings = "\n".join(_set(k, v) for k, v in session_options(config, cluster).items())
    ddl, _ = statements(config)
    return HEADER + settings + "\n\n" + "".join(f"{statement};\n\n" for statement in ddl)


def render(config: JobConfig, out_dir: Path) -> Scripts:
    params = config.sql_params()
    (out_dir / "queries").mkdir(parents=True, exist_ok=True)
    init = out_dir / "init.sql"
    init.touch(mode=0o600)  # it holds the Elasticsearch password when one is configured
    init.chmod(0o600)
    init.write_text(init_script(config), encoding="utf-8")
    queries: dict[str, Path] = {}
    every_insert: list[str] = []
    for name in config.run_queries():
        inserts = [sql_template.load(path, params) for path in catalog.QUERIES[name].inserts]
        every_insert += inserts
        queries[name] = out_dir / "queries" / f"{name}.sql"
        queries[name].write_text(HEADER + statement_set(inserts), encoding="utf-8")
    whole = out_dir / "job.sql"
    whole.write_text(HEADER + statement_set(every_insert), encoding="utf-8")
    return Scripts(init, whole, queries)
