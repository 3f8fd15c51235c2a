"""The analytics job for Flink's own launchers:

    flink run -pym flink_jobs.main       a session cluster (`tweetflow cluster flink run ...`)
    PythonDriver -pym flink_jobs.main    an application cluster (the Kubernetes operator)

Where to read and write comes from the environment, as everywhere in tweetflow:
TWEETFLOW_KAFKA_SERVERS, TWEETFLOW_ES_HOSTS, TWEETFLOW_TOPIC (see tweetflow/settings.py), and
TWEETFLOW_GROUP_ID for the consumer group, TWEETFLOW_ENRICHMENT (off, scalar, vectorized) for
the sentiment UDF. Parallelism, checkpoint storage and the state backend
are the cluster's (flink run -p, or its configuration).
"""

from __future__ import annotations

import os

from flink_jobs import runtime
from tweetflow.settings import Settings
from tweetflow.stack.stack import LocalStack


def main() -> None:
    config = LocalStack(Settings.from_env()).job_config(
        kafka_group_id=os.environ.get("TWEETFLOW_GROUP_ID", "tweetflow"),
        checkpoint_dir=None,
        log_dir=None,
        parallelism=0,
        # The sentiment UDF needs Python and VADER on the TaskManagers (the image has both).
        enrichment=os.environ.get("TWEETFLOW_ENRICHMENT", "off"),
    )
    env = runtime.table_environment(config)
    result = runtime.start(config, env)
    client = result.get_job_client()
    print(f"tweetflow-analytics job {client.get_job_id() if client else '?'} submitted", flush=True)
    # `flink run --detached` returns once the job is submitted; waiting then would fail.
    if env.get_config().get("execution.attached", "true").lower() == "true":
        result.wait()


if __name__ == "__main__":
    main()
