"""`tweetflow status` from metrics as Flink's reporter and the producer write them: rates
between two readings, duplicates as received minus unique, the largest lag across tasks.
(tests/integration/test_prometheus.py runs it against a real job.)"""

from __future__ import annotations

from tweetflow.ops import status

JOB = 'job_name="tweetflow_analytics"'


def reading(at: float, read: int, sent: int, lag_ms: tuple[int, int]) -> status.Reading:
    r = status.Reading(at=at, endpoints=["http://127.0.0.1:9249/metrics"])
    status.ingest(
        r,
        f"""
flink_jobmanager_job_uptime{{{JOB}}} 61000
flink_jobmanager_job_numRestarts{{{JOB}}} 2
flink_jobmanager_job_restartingTime{{{JOB}}} 0
flink_jobmanager_job_lastCheckpointCompletedTimestamp{{{JOB}}} {(at - 4) * 1000}
flink_jobmanager_job_lastCheckpointDuration{{{JOB}}} 1500
flink_jobmanager_job_numberOfFailedCheckpoints{{{JOB}}} 1
flink_taskmanager_job_task_operator_tweetflow_recordsRead{{subtask_index="0"}} {read // 2}
flink_taskmanager_job_task_operator_tweetflow_recordsRead{{subtask_index="1"}} {read - read // 2}
flink_taskmanager_job_task_operator_tweetflow_tweetsReceived 900
flink_taskmanager_job_task_operator_tweetflow_tweetsUnique 870
flink_taskmanager_job_task_operator_tweetflow_tweetsLate 3
flink_taskmanager_job_task_operator_tweetflow_reason_deadLettered{{reason="missing_text"}} 5
flink_taskmanager_job_task_operator_tweetflow_reason_deadLettered{{reason="not_a_JSON_object"}} 8
flink_taskmanager_job_task_operator_pendingRecords{{subtask_index="0"}} 120
flink_taskmanager_job_task_operator_pendingRecords{{subtask_index="1"}} 30
flink_taskmanager_job_task_operator_watermarkLag{{subtask_index="0"}} {lag_ms[0]}
flink_taskmanager_job_task_operator_watermarkLag{{subtask_index="1"}} {lag_ms[1]}
flink_taskmanager_job_task_operator_tweetflow_result_documentsWritten{{result="users_es"}} 400
flink_taskmanager_job_task_operator_tweetflow_result_documentsRejected{{result="users_es"}} 0
flink_taskmanager_Status_JVM_Memory_Heap_Used 536870912
flink_taskmanager_Status_JVM_Memory_Heap_Max 1073741824
tweetflow_producer_tweets_sent_total {sent}
tweetflow_producer_send_errors_total 0
tweetflow_producer_dead_lettered_total 1
""",
    )
    return r


def test_the_screen_reads_rates_totals_and_the_worst_lag() -> None:
    before = reading(1000.0, 913, 1000, (900, 2500))
    after = reading(1002.0, 1913, 1600, (800, 2300))
    screen, running = status.render(before, after)
    assert running
    lines = screen.splitlines()
    assert lines[0] == "job        tweetflow_analytics  RUNNING  up 61 s  restarts 2"
    assert lines[1] == "tweets     read 1,913 (500/s)  unique 870  duplicates 30  late 3"
    assert lines[2] == "dead       13 dead-lettered (not_a_JSON_object 8, missing_text 5)"
    assert lines[3] == "lag        consumer 150 records unread  event time 2.3 s behind the clock"
    assert lines[4] == "results    400 documents written (0/s), 0 rejected"
    assert lines[5] == "checkpoint last 4 s ago, took 1.5 s; 1 failed"
    assert lines[6] == "heap       512 of 1,024 MiB in use (garbage included)"
    assert lines[7] == "producer   sent 1,600 (300/s)  errors 0  dead-lettered 1"


def test_nothing_answering_says_what_to_set() -> None:
    nothing = status.Reading(at=0.0)
    screen, running = status.render(nothing, nothing)
    assert not running
    assert "TWEETFLOW_METRICS_PORTS" in screen and "TWEETFLOW_PRODUCER_METRICS_PORT" in screen
