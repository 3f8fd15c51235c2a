"""The analytics job for Flink's own launchers:

    flink run -pym flink_jobs.main       a session cluster (`tweetflow cluster flink run ...`)
    PythonDriver -pym flink_jobs.main    an application cluster (the Kubernetes operator)

Its configuration comes from the environment alone, as everywhere in tweetflow:
TWEETFLOW_KAFKA_SERVERS, TWEETFLOW_ES_HOSTS, TWEETFLOW_TOPIC and the credentials (see
tweetflow/core/settings.py), TWEETFLOW_GROUP_ID for the consumer group, TWEETFLOW_ENRICHMENT
(vectorized, the default as for `job run`, scalar or off) for the sentiment UDF,
TWEETFLOW_HASHTAG_CAPACITY (`job run --hashtag-capacity`, default 10000) for the hashtag
windows' memory bound, TWEETFLOW_DEDUP_HORIZON (`job run --dedup-horizon`, default '5 min')
for how long tweet ids are remembered, TWEETFLOW_TREND_SLIDE and TWEETFLOW_TREND_MIN_AUTHORS
(`job run --trend-slide`, `--trend-min-authors`) for trending. The
connectors and tweetflow's functions are in the Flink distribution's lib/ (tweetflow's image,
`tweetflow cluster up`). Checkpointing,
the state backend, parallelism and restarts are the cluster's (its configuration, `flink run
-p`); tweetflow sets a 10 s checkpoint interval only when the cluster sets none.
"""

from __future__ import annotations

import os
from dataclasses import replace

from flink_jobs import runtime
from flink_jobs.config import JobConfig, dedup_horizon
from tweetflow.core.settings import Settings


def config_from_environment() -> JobConfig:
    return replace(
        JobConfig.from_settings(Settings.from_env()),
        kafka_group_id=os.environ.get("TWEETFLOW_GROUP_ID", "tweetflow"),
        parallelism=0,
        on_cluster=True,
        # The same default as `tweetflow job run`: the sentiment UDF, which needs Python and
        # VADER on the TaskManagers (the image has both); off: SQL only.
        enrichment=os.environ.get("TWEETFLOW_ENRICHMENT", "vectorized"),
        hashtag_capacity=int(
            os.environ.get("TWEETFLOW_HASHTAG_CAPACITY", JobConfig.hashtag_capacity)
        ),
        dedup_horizon=dedup_horizon(
            os.environ.get("TWEETFLOW_DEDUP_HORIZON", JobConfig.dedup_horizon)
        ),
        trend_slide_s=int(os.environ.get("TWEETFLOW_TREND_SLIDE", JobConfig.trend_slide_s)),
        trend_min_authors=int(
            os.environ.get("TWEETFLOW_TREND_MIN_AUTHORS", JobConfig.trend_min_authors)
        ),
    )


def main() -> None:
    config = config_from_environment()
    env = runtime.table_environment(config)
    result = runtime.start(config, env)
    client = result.get_job_client()
    print(f"tweetflow-analytics job {client.get_job_id() if client else '?'} submitted", flush=True)
    # `flink run --detached` returns once the job is submitted; waiting then would fail.
    if env.get_config().get("execution.attached", "true").lower() == "true":
        result.wait()


if __name__ == "__main__":
    main()
