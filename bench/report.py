"""bench/RESULTS.md, assembled from the newest full runs of the benchmarks that feed it
(bench/results/peers.json, peers_<count>.json, peers_job_*.json, profile.json,
profile_job.json, tuning.json, revisions*.json, sustained.json, sustained_long*.json,
sustained_job*.json, live_peers.json, cost_growth.json, job_scale*.json): each of them
rewrites the report when it finishes, so the file always shows the machine, the versions and
every figure measured.

The raw results stay on the machine that measured them (bench/results/ is not committed), so
a checkout holds only the report: a section whose results file is missing keeps its text from
the report as it stands (each section opens with a `<!-- bench: NAME -->` marker), and a run
of one benchmark never erases what the others measured."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from bench.common import DEDUP_HORIZON, RESULTS, SUSTAINED_QUERIES, TWITTER_AVERAGE_RATE, machine

# The report and its plots are kept in the repository; the raw JSON (results/) is not.
REPORT = RESULTS.parent / "RESULTS.md"
PLOTS = RESULTS.parent / "plots"
# Opens each section of the report: what write() keeps when that section's results are absent.
MARKER = "<!-- bench: {} -->"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return orjson.loads(path.read_bytes()) if path.exists() else None


def _load_all(prefix: str) -> dict[str, dict[str, Any]] | None:
    """Every results file whose name starts with `prefix`, by name: the runs of one benchmark
    that each keep a file of their own (sustained_long*, sustained_job*, peers_job_*)."""
    stems = sorted(p.stem for p in RESULTS.glob(f"{prefix}*.json"))
    return {stem: found for stem in stems if (found := _load(stem)) is not None} or None


def write() -> Path:
    m = machine()
    kept = kept_sections(REPORT.read_text(encoding="utf-8") if REPORT.exists() else "")
    stems = {*kept, *(p.stem for p in RESULTS.glob("peers_*.json"))}
    stems |= {p.stem for p in RESULTS.glob("job_scale_*.json")}
    counts = {int(stem.removeprefix("peers_")) for stem in stems if _is_larger_peers(stem)}
    slots: list[tuple[str, Callable[[Any], str], Any]] = [
        ("peers", peers_section, _load("peers")),
        *((f"peers_{n}", peers_section, _load(f"peers_{n}")) for n in sorted(counts)),
        ("peers_job", peers_job_section, _load_all("peers_job_")),
        ("profile", profile_section, _load("profile")),
        ("profile_job", partial(profile_section, whole=True), _load("profile_job")),
        ("parse_speed", parse_section, _load("parse_speed")),
        ("tuning", tuning_section, _load("tuning")),
        ("revisions", revisions_section, _load("revisions")),
        ("revisions_job", revisions_section, _load("revisions_job")),
        ("sustained", sustained_section, _load("sustained")),
        ("sustained_long", sustained_long_section, _load_all("sustained_long")),
        ("sustained_job", sustained_job_section, _load_all("sustained_job")),
        ("live_peers", live_peers_section, _load("live_peers")),
        ("cost_growth", cost_growth_section, _load("cost_growth")),
        ("job_scale", job_scale_section, _load("job_scale")),
        *((stem, job_scale_section, _load(stem)) for stem in _job_scale_sizes(stems)),
        ("trending", trending_section, _load("trending")),
        # Hand-written figures from before the benchmarks wrote this report: kept as they are.
        ("earlier", _never_measured, None),
    ]
    sections = [
        MARKER.format(name)
        + (section(found).rstrip("\n") + _measured_on(found) if found else kept[name]).rstrip()
        + "\n"
        for name, section, found in slots
        if found or name in kept
    ]
    body = "\n".join(sections)
    REPORT.write_text(
        f"""# Benchmark results

Written by the benchmarks below on {m["cpus"]} CPUs ({m["machine"]}), Python {m["python"]},
Kafka {m["kafka"]}, with Kafka, Elasticsearch and the contender on the same machine. Absolute
figures vary between runs on a shared machine; the ratios within one run are what count. Each
section's last line gives the day it was measured and the Flink and Elasticsearch it ran;
where it names neither, that was Flink 1.20.5 writing with Flink's Elasticsearch 7 connector
(synchronous bulks from the task's thread) to Elasticsearch 7.17.

{body}
## Not measured

Rates above the first one not held: the sustained run stops there, as higher ones would not
be held either. Earlier figures: the section above.
""",
        encoding="utf-8",
    )
    return REPORT


def _never_measured(found: Any) -> str:
    raise AssertionError("no benchmark writes the earlier figures")


def kept_sections(text: str) -> dict[str, str]:
    """The report's sections by their marker's name, each up to the next marker or the closing
    "Not measured" section."""
    body = text.split("\n## Not measured\n", 1)[0]
    opening, closing = MARKER.split("{}")
    parts = body.split(opening)[1:]
    return dict(part.split(closing, 1) for part in parts if closing in part)


def _job_scale_sizes(stems: set[str]) -> list[str]:
    """bench.job_scale's runs of other sizes than 300,000 (job_scale_<count>), smallest first."""
    sizes = [s for s in stems if s.startswith("job_scale_") and s[10:].isdigit()]
    return sorted(sizes, key=lambda s: int(s[10:]))


def _is_larger_peers(stem: str) -> bool:
    return stem.startswith("peers_") and stem.removeprefix("peers_").isdigit()


def _measured_on(found: dict[str, Any]) -> str:
    """The day a results file was written and the Flink and Elasticsearch it ran (files from
    before they were recorded have none)."""
    runs = _runs(found)
    days = sorted({run["measured_on"] for run in runs if "measured_on" in run})
    if not days:
        return ""
    lines = sorted(
        {
            f"Flink {_flinks(run)}, {run['machine']['elasticsearch']}"
            for run in runs
            if "elasticsearch" in run["machine"]
        }
    )
    ran = f" with {'; '.join(lines)}" if lines else ""
    return f"\n\nMeasured on {' to '.join(dict.fromkeys((days[0], days[-1])))}{ran}."


def _flinks(run: dict[str, Any]) -> str:
    """The Flink a run measured, or each that its sides ran (a comparison of revisions)."""
    sides = _differing_flinks(run)
    if sides:
        return " and ".join(sorted(set(sides.values()))) + " (as each row says)"
    return str(run["machine"]["flink"])


def _differing_flinks(found: dict[str, Any]) -> dict[str, str]:
    """The Flink of each side of a comparison that recorded them, when the sides differ."""
    flink: dict[str, str] = found.get("flink", {})
    return flink if len(set(flink.values())) > 1 else {}


def _runs(found: dict[str, Any]) -> list[dict[str, Any]]:
    """One results file, or the several of sustained_long (a dict of them by name)."""
    if all(isinstance(run, dict) and "machine" in run for run in found.values()):
        return list(found.values())
    return [found]


def peers_section(figures: dict[str, Any]) -> str:
    count = figures["count"]
    plot = "peers.png" if count == 1_000_000 else f"peers_{count}.png"
    rates, equal = figures["tweets_per_s"], figures["results_equal"]
    flink = rates["tweetflow (Flink SQL)"]
    late = figures.get("late_tweets", {})
    differing = "".join(
        f"\n{name}: {late.get(name, 0):,} tweets dropped as late; documents differing from "
        f"tweetflow's: {', '.join(f'{index} {n:,}' for index, n in counts.items())}.\n"
        for name, counts in figures.get("documents_differing", {}).items()
    )
    rows = "\n".join(
        f"| {name} | {rate:,.0f} | {flink / rate:.3f} | "
        f"{'equal' if equal.get(name) else 'DIFFER' if name in equal else ''} |"
        for name, rate in rates.items()
    )
    rows += "".join(
        f"\n| {name} | {_unfinished(stopped)} | | |"
        for name, stopped in figures.get("unfinished", {}).items()
    )
    whole = "".join(
        f"\n| tweetflow, {name} | {run['tweets_per_s']:,.0f} | "
        f"x{run['tweets_per_s'] / flink:.3f} | {run['documents_per_tweet']:.2f} |"
        for name, run in figures.get("whole_job", {}).items()
    )
    if whole:
        whole = (
            "\nWhat users run, on the same topic in the same run (not compared with the peers: "
            "they compute\nthe four queries only):\n\n| run | tweets/s | ÷ four queries | "
            "documents per tweet |\n| --- | ---: | ---: | ---: |" + whole + "\n"
        )
    heap = figures.get("heap", "1g")
    method = (
        _peers_method(heap)
        if count == 1_000_000
        else f"Method as above, with a heap of {heap} for tweetflow's mini-cluster and Spark's "
        "driver;\nQuix Streams and Spark are stopped at the time limit."
    )
    return f"""
## Catch-up: {count:,} tweets already in Kafka

`python -m bench.peers --count {count}`. Each contender reads the whole topic from its
first offset; the stream processors compute the same four queries (tweets per 2 s and per
minute, the 60 s / 5 s rolling count, top 5 authors per 5 s and per 60 s / 5 s, top 10 hashtags
per hour sliding by the minute: not the whole job, see "The whole default job at scale") and
write them to Elasticsearch. "results" compares each peer's
documents with tweetflow's.

| contender | tweets/s | tweetflow ÷ contender | results |
| --- | ---: | ---: | --- |
{rows}
{differing}{whole}
![catch-up throughput](plots/{plot})

{method}
"""


def _peers_method(heap: str) -> str:
    return f"""tweetflow's figure includes its start-up (JVM, planning, about 10 s): the
mini-cluster run of `tweetflow job run --bounded`, as a user runs it; so do Spark's (a local
session, `local[*]`) and Quix's. tweetflow's mini-cluster and Spark's driver each had a heap of
{heap}.
Quix Streams (`bench/quix_peer.py`) re-keys through Kafka topics (its windows are per message
key) and writes at its checkpoints; Spark (`bench/spark_peer.py`) runs one streaming query per
aggregation, `Trigger.AvailableNow`, ranking in `foreachBatch`. Neither closes a window at the
end of a topic, so one end-of-input tweet per partition, two hours later, is appended for them
(for Quix once it has read every real tweet: its windows close by the newest event time of a
partition, also of the topics it re-keys through).

The topic holds {TWITTER_AVERAGE_RATE:,.0f} tweets per second of event time (Twitter's 2013
average): window costs grow with event time, so a sparser stream charges them to fewer tweets.
"""


def _unfinished(stopped: dict[str, Any]) -> str:
    read = "" if stopped["read"] is None else f" ({stopped['read']:,} tweets read)"
    return f"not finished in {stopped['limit_s'] / 60:.0f} min{read}"


def profile_section(found: dict[str, Any], whole: bool | None = None) -> str:
    """whole: a profile of the whole default job (bench.profile --queries job); None: the
    results' queries say."""
    from flink_jobs.catalog import CORE_QUERIES

    rate = found["count"] / found["seconds"]
    rows = "\n".join(f"| {name} | {share:.1%} |" for name, share in found["activities"].items())
    threads = "\n".join(
        f"| {name.replace('|', '/')} | {share:.1%} |"
        for name, share in list(found["threads"].items())[:8]
    )
    if whole is None:
        whole = set(found.get("queries", ())) >= set(CORE_QUERIES)
    density = found.get("per_second", TWITTER_AVERAGE_RATE)
    command = f"python -m bench.profile --count {found['count']}"
    command += f" --queries job --per-second {density:.0f}" if whole else ""
    name = "profile_job" if whole else "profile"
    what = (
        f"the whole default job (every core query, enrichment off) over {density:,.0f} tweets per "
        "second of event time"
        if whole
        else "the catch-up's job (the four peer queries)"
    )
    history = (
        ""
        if whole
        else """
Before tweetflow's own JSON functions (`TWEET_FIELDS`, `TWEET_TIMESTAMP`), the same profile
of 300,000 tweets showed 46% of all samples in Flink's JSON_VALUE / JSON_QUERY, which parse
the payload again for every field (about twenty times per tweet). Before the duplicate filter
was FIRST_SEEN, Flink SQL's ROW_NUMBER filter took 18.3% of the samples of this profile (at
1275b96: its state, its per-id TTL's clean-up and the rows it passed on)."""
    )
    return f"""
## Where {"the whole default job's" if whole else "tweetflow's"} time goes

`{command}` records one bounded run of {what} with
Java Flight Recorder ({found["samples"]:,} CPU samples, {rate:,.0f} tweets/s with start-up)
and charges each sample to what its stack was doing; the collapsed stacks
(`bench/results/{name}.collapsed`) open in speedscope or flamegraph.pl.

| activity | share of CPU samples |
| --- | ---: |
{rows}

| thread (operators chained in it) | share of CPU samples |
| --- | ---: |
{threads}
{history}{_before_trending(found) if whole else ""}
"""


PARSE_WAYS = {
    "tweet_fields": "TWEET_FIELDS (every field the job reads)",
    "tree_fields": "the same fields from Jackson's tree (TWEET_FIELDS before)",
    "tweet_timestamp": "TWEET_TIMESTAMP (the source's event time)",
    "jackson_tree": "Jackson's tree of the tweet (readTree)",
    "jackson_tokens": "Jackson's tokens, walked and dropped",
}


RECORD_WAYS = {
    "record_as_text": "decoded into a String (a STRING column), then both functions",
    "record_as_bytes": "both functions on the bytes (a BYTES column: the job)",
}


def parse_section(found: dict[str, Any]) -> str:
    rates = found["tweets_per_s"]
    rows = "\n".join(
        f"| {label} | {rates[way]:,.0f} | {rates[way] / rates['tree_fields']:.2f} |"
        for way, label in PARSE_WAYS.items()
    )
    record_rows = "\n".join(
        f"| {label} | {rates[way]:,.0f} | {rates[way] / rates['record_as_text']:.2f} |"
        for way, label in RECORD_WAYS.items()
        if way in rates  # runs from before the job read bytes measured no records
    )
    records = ""
    same, count = found.get("same_from_bytes", 0), found["count"]
    if record_rows:
        records = f"""
Per record as the job reads one from Kafka: its UTF-8 decoded into the Java String a STRING
column gives the functions, then TWEET_TIMESTAMP and TWEET_FIELDS, against both reading the
bytes of a BYTES column, as the job does (the same fields on {same:,} of {count:,} tweets).
Neither includes what follows in the job: strings held as Java Strings are encoded into
UTF-8 again when the row leaves the operator, strings cut from the bytes are not.

| record | tweets/s | x text |
| --- | ---: | ---: |
{record_rows}
"""
    return f"""
## Parsing a tweet

`python -m bench.parse_speed --count {found["count"]}`: the job's Java functions and three
baselines over the same synthetic tweets in one JVM, {len(found["rounds"])} rounds; tweets/s
is the median of the rounds after the first. TWEET_FIELDS used to build the tree of each
tweet and read the fields from it (the baseline, whose fields it equals on every tweet of the
run); it now streams through the tokens and keeps only its nineteen fields. The token walk is
the floor of any parse with this parser.

| way | tweets/s | x baseline |
| --- | ---: | ---: |
{rows}
{records}"""


def _flink_of(found: dict[str, Any], side: str) -> str:
    """A side's label, such as Flink 2.2.1, where the sides ran different Flink versions (in
    results that recorded them); empty otherwise."""
    flink = _differing_flinks(found)
    return f"Flink {flink[side]}" if flink else ""


def revisions_section(found: dict[str, Any]) -> str:
    base, this = _flink_of(found, "base"), _flink_of(found, "this")
    labels = {
        "base": f"{found['base'][:10]} (base{', ' + base if base else ''})",
        "this": f"this code ({this})" if this else "this code",
    }
    rows = "\n".join(
        f"| {labels[side]} | "
        + " | ".join(f"{rate:,.0f}" for rate in found["tweets_per_s"][side])
        + f" | {found['mean'][side]:,.0f} | {found['spread'][side]:.1%} |"
        for side in ("base", "this")
    )
    rounds = " | ".join(f"round {n + 1}" for n in range(found["rounds"]))
    whole = found.get("queries") == "job"
    density = found.get("per_second", TWITTER_AVERAGE_RATE)
    command = f"--base {found['base_name']}{' --queries job' if whole else ''}" + (
        f" --per-second {density:g}" if density != TWITTER_AVERAGE_RATE else ""
    )
    title = "The whole default job against" if whole else "This code against"
    job = (
        "the whole default job (every core query, enrichment off, heap 1 GiB)"
        if whole
        else ("the catch-up's job (the four peer queries)")
    )
    return f"""
## {title} an earlier revision

`python -m bench.revisions {command} --count {found["count"]}`:
{job} over one topic of {found["count"]:,} tweets ({density:,g} tweets per second of event
time), run by this code and by revision {found["base"][:10]}'s in turn, each run a process
of its own (start-up included), the order alternating every round. This code reads
x{found["ratio"]:.3f} the base's mean rate; "spread" is how far each side's rounds lie apart,
the noise to read that against.

| code | {rounds} | mean tweets/s | spread |
| --- | {" | ".join("---:" for _ in range(found["rounds"]))} | ---: | ---: |
{rows}
"""


def tuning_section(found: dict[str, Any]) -> str:
    first, last = found["defaults"]
    mean = (first["tweets_per_s"] + last["tweets_per_s"]) / 2
    rows = "\n".join(
        f"| {name} | {_tuning_cells(run, found['ratio'][name], found['limit_s'])} |"
        for name, run in found["runs"].items()
    )
    return f"""
## What the tuning knobs do to the catch-up

`python -m bench.tuning --count {found["count"]}`: the catch-up's job over one topic of
{found["count"]:,} tweets, once per setting, between two runs with the defaults; each run is a
process (and a JVM) of its own with a heap of {found["heap"]}, start-up included. The
defaults are a bounded run's: the parallel collector, checkpoints every 60 s. "x" is
tweets/s divided by the mean of the two default runs, {first["tweets_per_s"]:,.0f} and
{last["tweets_per_s"]:,.0f} tweets/s: their difference ({found["noise"]:.1%}) is the run's
noise. Peak RSS is what the JVM took from the machine, live heap the most in use after a
collection.

| setting | tweets/s | x defaults | peak RSS MiB | peak live heap MiB |
| --- | ---: | ---: | ---: | ---: |
| defaults (first) | {_tuning_cells(first, first["tweets_per_s"] / mean, found["limit_s"])} |
{rows}
| defaults (last) | {_tuning_cells(last, last["tweets_per_s"] / mean, found["limit_s"])} |

The settings (`bench/tuning.py`, `SETTINGS`):

{_tuning_legend(found["settings"])}
"""


def _tuning_cells(run: dict[str, Any], ratio: float | None, limit_s: float) -> str:
    rate = run["tweets_per_s"]
    speed = (
        f"not in {limit_s / 60:.0f} min | | " if rate is None else f"{rate:,.0f} | {ratio:.3f} | "
    )
    return f"{speed}{run['peak_rss_mib']:,.0f} | {run['peak_live_heap_mib']:,.0f}"


def _tuning_legend(settings: dict[str, dict[str, Any]]) -> str:
    def spelled(fields: dict[str, Any]) -> str:
        parts = [f"`{k}={v}`" for k, v in fields.get("flink_options", ())]
        if "jvm_args" in fields:
            parts.append(f"`{fields['jvm_args']}`")
        if "state_backend" in fields:
            parts.append(f"state backend `{fields['state_backend']}`")
        return ", ".join(parts)

    return "\n".join(f"- {name}: {spelled(fields)}" for name, fields in settings.items())


def sustained_section(found: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {r['offered']:,.0f} | {r['achieved']:,.0f} | {_read_and_lag(r)} | "
        + _secs_cells(r, *WINDOW_P50_P99, *SENT_P50_P99)
        for r in found["rates"]
    )
    held = found["highest_held"]
    warmup = found.get("warmup_s", 0)
    settings = _sustained_settings(found)
    return f"""
## Sustained rates and freshness

`{_sustained_command(found, "sustained")}`: the live job with
{_queries(found)} (watermark
{found["watermark_s"]} s behind, heap {settings["heap"]}, duplicate filter horizon
{settings["horizon"]}) fed at each rate for {found["seconds"]:.0f} s by one producer process
(confluent-kafka), one rate after the other, after {warmup:.0f} s at the first rate that are
not reported (the JVM's first seconds run code not yet compiled; repeated until a first window
is visible). Lag: end offsets minus the
offsets the job commits at each checkpoint (every {settings["checkpoints"]}). Freshness in
seconds, from a 2-second window's end and from a tweet's send time to found by a search (polled
every 0.1 s). The sink flushes every {found.get("flush_interval", "500ms")}; Elasticsearch
refreshes the indexes every {found.get("refresh_interval", "1s")}.

| offered/s | sent/s | read/s | lag max | held | window end→seen p50 | p99 | sent→seen p50 | p99 |
| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |
{rows}

Highest rate held with lag bounded: {"none" if held is None else f"{held:,.0f} tweets/s"}.

![sustained rates](plots/sustained.png)
"""


LONG_HEADER = (
    "| run | s | offered/s | heap | horizon | other options | read/s | lag max | held "
    "| window end→seen p50 | p99 | max | sent→seen p50 | p99 |\n"
    "| --- | ---: | ---: | --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
)


def sustained_long_section(runs: dict[str, dict[str, Any]]) -> str:
    """The runs of one rate for longer than the duplicate filter's horizon, one row each."""
    rows, commands = [], []
    for name, found in runs.items():
        settings = _sustained_settings(found)
        options = ", ".join(_other_options(found)) or "-"
        for r in found["rates"]:
            rows.append(
                f"| {name} | {found['seconds']:.0f} | {r['offered']:,.0f} | {settings['heap']} | "
                f"{settings['horizon']} | {options} | {_read_and_lag(r)} | "
                + _secs_cells(r, *WINDOW_P50_P99, "window_end_to_visible_max_s", *SENT_P50_P99)
            )
        commands.append(f"    {_sustained_command(found, name)}")
    table, lines = "\n".join(rows), "\n".join(commands)
    return f"""
## Sustained for longer than the duplicate filter's horizon

The sustained benchmark at one rate for longer than the horizon of the duplicate filter, whose
state (every tweet id of the horizon) the heap must hold, with the job's own checkpoints every
10 s; otherwise as above. Run by:

{lines}

{LONG_HEADER}
{table}
"""


def sustained_job_section(runs: dict[str, dict[str, Any]]) -> str:
    """The sustained runs of the whole default job (with and without live_tweets), per stream."""
    rows, commands = [], []
    for name, found in runs.items():
        for r in found["rates"]:
            rows.append(
                f"| {name} | {QUERY_SET_LABELS.get(found.get('query_set') or '', '?')} | "
                f"{found.get('stream', 'default')} | {r['offered']:,.0f} | {_read_and_lag(r)} | "
                + _secs_cells(r, *WINDOW_P50_P99, *SENT_P50_P99)
            )
        commands.append(f"    {_sustained_command(found, name)}")
    table, lines = "\n".join(rows), "\n".join(commands)
    return f"""
## Sustained rates: the whole default job

The sustained benchmark (method as in "Sustained rates and freshness": one producer process,
each rate for the period after an unreported warm-up, tweets stamped with their send time, so
the event-time density is the rate) with the whole default job (every core query, enrichment
off), with and without live_tweets, on the default generator and on the Zipf stream (hashtags
from a Zipf law over 1,000,000 names, `bench/streams.py`). Run by:

{lines}

{JOB_HEADER}
{table}{_before_trending(*runs.values())}
"""


QUERY_SET_LABELS = {"job": "whole job", "job_without_live": "whole job without live_tweets"}
JOB_HEADER = (
    "| run | queries | stream | offered/s | read/s | lag max | held | window end→seen p50 "
    "| p99 | sent→seen p50 | p99 |\n"
    "| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"
)
CATCH_UP_HEADER = (
    "| stream | tweets per s of event time | tweets | four queries tweets/s | whole job "
    "tweets/s | ÷ four | documents per tweet | without live_tweets tweets/s | ÷ four "
    "| documents per tweet |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def peers_job_section(runs: dict[str, dict[str, Any]]) -> str:
    """tweetflow's catch-up rows of bench.peers --only-tweetflow, one run per stream and
    event-time density: the four peer queries, the whole default job, the same without
    live_tweets, each run in turn over the run's one topic."""
    rows, commands = [], []
    for found in runs.values():
        four = found["tweets_per_s"]["tweetflow (Flink SQL)"]
        whole = found["whole_job"]
        cells = " | ".join(
            f"{run['tweets_per_s']:,.0f} | x{run['tweets_per_s'] / four:.3f} | "
            f"{run['documents_per_tweet']:.2f}"
            for run in (whole["whole default job"], whole["whole job without live_tweets"])
        )
        rows.append(
            f"| {found['stream']} | {found['per_second']:,.0f} | {found['count']:,} | "
            f"{four:,.0f} | {cells} |"
        )
        commands.append(
            f"    python -m bench.peers --only-tweetflow --stream {found['stream']} "
            f"--per-second {found['per_second']:.0f} --count {found['count']}"
        )
    table, lines = "\n".join(rows), "\n".join(commands)
    return f"""
## Catch-up: the whole default job

What users run, beside the four queries the peers compute: each run loads one topic and
reads it whole, from its first offset, three times in turn in one process (start-up included,
enrichment off, heap 1 GiB): the four peer queries, the whole default job (every core query)
and the whole job without live_tweets (a document per tweet). "÷ four" is the rate against the
four queries' in the same run; documents per tweet are all the job wrote (every index) over the
tweets read. Streams: the default generator and the Zipf stream (hashtags from a Zipf law over
1,000,000 names, `bench/streams.py`); density: tweets per second of event time (Twitter's 2013
average, 5,700, or a sparse 50, where each tweet lands in many more windows). Run by:

{lines}

{CATCH_UP_HEADER}
{table}{_before_trending(*runs.values())}
"""


def _queries(found: dict[str, Any]) -> str:
    """Which queries ran: a subset is never to be read as the whole job's figure."""
    from flink_jobs.catalog import CORE_QUERIES

    queries = found.get("queries") or []
    if set(queries) >= set(CORE_QUERIES):
        return "the whole default job (every core query)"
    if set(queries) >= set(CORE_QUERIES) - {"trending"}:
        return "the whole default job of its day (every core query but trending, added since)"
    return f"{len(queries)} queries only, not the whole job ({', '.join(queries)})"


# The day trending joined the default job: whole-job figures from before ran one query fewer.
TRENDING_SINCE = "2026-12-08"


def _before_trending(*runs: dict[str, Any]) -> str:
    """A caveat for whole-job figures measured before the default job had trending."""
    old = [
        run
        for run in runs
        if "trending" not in run.get("queries", ())
        and run.get("measured_on", TRENDING_SINCE) < TRENDING_SINCE
    ]
    if not old:
        return ""
    return (
        "\n\nMeasured before trending joined the default job: these whole-job figures are of\n"
        "every core query of their day, trending not among them (`python -m bench.revisions\n"
        "--queries job` against a revision before it measures what it adds)."
    )


def _sustained_settings(found: dict[str, Any]) -> dict[str, str]:
    # Runs written before these were recorded checkpointed every 2 s with a 10-minute horizon.
    return {
        "heap": found.get("heap", "1g"),
        "checkpoints": found.get("checkpoint_interval", "2 s"),
        "horizon": found.get("dedup_horizon", "10 min"),
    }


def _changed_options(found: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A sustained run's queries, refresh and flush where they differ from the defaults: the
    command's flag, its value, and how the table shows it."""
    changed = []
    queries = tuple(found.get("queries", SUSTAINED_QUERIES))
    named = found.get("query_set")
    if named:
        changed.append(("--queries", named, QUERY_SET_LABELS.get(named, named)))
    elif queries != SUSTAINED_QUERIES:
        changed.append(("--queries", ",".join(queries), f"queries {', '.join(queries)}"))
    if found.get("stream", "default") != "default":
        changed.append(("--stream", found["stream"], f"{found['stream']} stream"))
    for key, label in (("refresh_interval", "refresh"), ("flush_interval", "flush")):
        value = found.get(key, "200ms")
        if value != "200ms":
            changed.append((f"--{key.replace('_', '-')}", value, f"{label} every {value}"))
    return changed


def _other_options(found: dict[str, Any]) -> list[str]:
    """A sustained run's options beyond heap and horizon that differ from the defaults."""
    shown = [label for _, _, label in _changed_options(found)]
    return shown + list(found.get("flink_options", ()))


def _sustained_command(found: dict[str, Any], name: str) -> str:
    """The command that repeats the run: its options that differ from the defaults."""
    settings = _sustained_settings(found)
    rates = ",".join(f"{r['offered']:.0f}" for r in found["rates"])
    command = f"python -m bench.sustained --seconds {found['seconds']:.0f} --rates {rates}"
    command += "" if settings["heap"] == "1g" else f" --heap {settings['heap']}"
    checkpoints, horizon = settings["checkpoints"], settings["horizon"]
    command += "" if checkpoints == "10 s" else f" --checkpoint-interval '{checkpoints}'"
    command += "" if horizon == DEDUP_HORIZON else f" --dedup-horizon '{horizon}'"
    command += "".join(f" {flag} {value}" for flag, value, _ in _changed_options(found))
    command += "" if name == "sustained" else f" --name {name}"
    return command + "".join(f" '--set={option}'" for option in found.get("flink_options", ()))


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


# The freshness figures a sustained row carries, as its table's columns show them.
WINDOW_P50_P99 = ("window_end_to_visible_p50_s", "window_end_to_visible_p99_s")
SENT_P50_P99 = ("produced_to_visible_p50_s", "produced_to_visible_p99_s")


def _secs_cells(row: dict[str, Any], *keys: str) -> str:
    """Table cells of seconds, a dash for what was not measured."""
    cells = ("-" if row.get(key) is None else f"{row[key]:.2f}" for key in keys)
    return " | ".join(cells) + " |"


def _read_and_lag(row: dict[str, Any]) -> str:
    held = "yes" if row["lag_bounded"] else "no"
    return f"{_count(row['processed'])} | {_count(row['lag_max'])} | {held}"


def live_peers_section(found: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {name} | {r['offered']:,.0f} | {_read_and_lag(r)} | {r['windows']} | "
        + _secs_cells(r, *WINDOW_P50_P99, "window_end_to_visible_max_s")
        for name, rows in found["contenders"].items()
        for r in rows
    )
    return f"""
## Freshness on a live stream, beside the peers

`python -m bench.live_peers --seconds {found["seconds"]:.0f}`: each contender in turn reads a
topic of its own from its newest offset while the producer of the sustained benchmark sends
{found["warmup_s"]:.0f} s of warm-up (not reported; repeated until the contender's first window
is visible) and then each rate for
{found["seconds"]:.0f} s. Same queries as the catch-up, watermark (Quix: grace)
{found["watermark_s"]} s, results written every {found["flush_interval_s"]} s (tweetflow's
sink flush; the hand-written consumers' bulk writes and commits; Quix's commit interval) to
indexes refreshed every {found["refresh_interval"]}; Spark starts each micro-batch when the
last one ends. Seconds from a 2-second window's end to
its count found by a search. A rate counts as held when every window of the period became
visible and the lag did not grow over its second half; Spark commits no offsets to Kafka, so
its lag is not known, and its windows' delay must not grow instead.

| contender | offered/s | read/s | lag max | held | windows | end→seen p50 | p99 | max |
| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |
{rows}

![freshness CDF](plots/live_peers.png)
"""


def cost_growth_section(found: dict[str, Any]) -> str:
    def row(label: str, run: dict[str, Any]) -> str:
        rate = f"{run['tweets_per_s']:,.0f}" if run["finished"] else "not in 5 min"
        if run.get("out_of_memory"):
            rate += " (OutOfMemoryError, restarting)"
        return (
            f"| {label} | {rate} | {run['peak_rss_mib']:,.0f} | {run['peak_live_heap_mib']:,.0f} |"
        )

    largest = max(found["cardinality"], key=int)
    middle = sorted(found["cardinality"], key=int)[len(found["cardinality"]) // 2]
    widest = max(found["window_hours"], key=float)
    rows = [row(f"{int(n):,} distinct hashtags", r) for n, r in found["cardinality"].items()]
    rows += [
        row(f"{int(middle):,} distinct, parallelism 2", found["parallelism_2"]),
        row(f"{int(largest):,} distinct, RocksDB", found["rocksdb"]),
    ]
    windows = [row(f"{float(h):g} h window", r) for h, r in found["window_hours"].items()]
    windows.append(row(f"{float(widest):g} h window, RocksDB", found["window_rocksdb"]))
    head = "| run | tweets/s | peak RSS MiB | peak live heap MiB |\n| --- | ---: | ---: | ---: |"
    parallel = _ratio(found["parallelism_2"], found["cardinality"][middle])
    # A curve needs more than one cardinality (a run of --cardinalities 1000000 has one).
    picture = (
        "![memory and throughput vs cardinality](plots/cost_growth.png)\n\n"
        if len(found["cardinality"]) > 1
        else ""
    )
    return f"""
## How cost grows

`python -m bench.cost_growth`: the top-hashtags query alone (one hour sliding by the minute,
top 10; its HASHTAG_SUMMARY keeps hashtag counts only, as no related_hashtags or influencers
query runs), one bounded run per line in a process of its own, heap 2 GiB, the default
`--hashtag-capacity` (10,000 counters a minute), start-up included, stopped after 5 minutes.
Peak RSS is what the mini-cluster's JVM (JobManager and TaskManager in one) took from the
machine; peak live heap is the most heap still in use after a garbage collection.

{found["count"]:,} tweets, two hashtags each, drawn in turn from N names (every window holds
min(N, 2 x tweets) distinct hashtags, all about equally frequent):

{head}
{chr(10).join(rows)}

{found["window_count"]:,} synthetic tweets over 25 hours of event time, window sliding every
minute:

{head}
{chr(10).join(windows)}

{picture}Reading them: a minute's summary holds at most 1.25 x capacity counters whatever the
cardinality, and a window merges its slices (60 for a 1-hour window, 1,440 for 24 hours) into
one bounded summary, so the live heap stays small at {int(largest):,} distinct hashtags, where
a minute needs far more counters than the capacity and evicts. Counts are then Space-Saving
estimates: exact while a minute needs fewer than 12,500 counters; above, a hashtag's count
over-states the truth by at most the window's floor, and every hashtag above the floor is kept.
Before the summary (a window aggregate per hashtag and a window top-N, heap 3 GiB, measured
2026-11-29): 26,839 tweets/s at 1,000 distinct hashtags, 5,933 at 100,000 with a 2.7 GiB live
heap, out of memory and restarting at 1,000,000; the 24-hour window did not finish within the
five minutes, with the heap or with RocksDB. RocksDB now serializes a slice's whole summary
(one Kryo value) on every access, so it is slower than the heap (its rows above) and gains
little: the state is small. Parallelism 2: x{parallel} at {int(middle):,} distinct hashtags,
on two cores shared with Kafka and Elasticsearch.
"""


def _ratio(run: dict[str, Any], base: dict[str, Any]) -> str:
    if not (run["finished"] and base["finished"]):
        return "n/a (a run did not finish)"
    return f"{run['tweets_per_s'] / base['tweets_per_s']:.2f}"


JOB_SCALE_HEAD = (
    "| stream | revision | tweets/s | peak RSS MiB | peak live heap MiB | documents | per tweet "
    "| top_hashtags per window | related_hashtags per window | influencers per window |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def job_scale_section(found: dict[str, Any]) -> str:
    def per_window(run: dict[str, Any], index: str) -> str:
        figures = run["indexes"].get(index)
        if not figures or not figures.get("windows"):
            return "-"
        return f"{figures['documents'] / figures['windows']:,.0f}"

    def row(stream: str, side: str, run: dict[str, Any]) -> str:
        limit = f"not in {found['limit_s']:.0f} s"
        rate = f"{run['tweets_per_s']:,.0f}" if run["finished"] else limit
        if run.get("out_of_memory"):
            rate += " (OutOfMemoryError)"
        written = sum(i["documents"] for i in run["indexes"].values())
        revision = found["base"][:10] if side == "base" else "this checkout"
        flink = _flink_of(found, side)
        revision += f" ({flink})" if flink else ""
        return (
            f"| {stream} | {revision} | {rate} | {run['peak_rss_mib']:,.0f} | "
            f"{run['peak_live_heap_mib']:,.0f} | {written:,} | {run['documents_per_tweet']:.2f} | "
            f"{per_window(run, 'top_hashtags')} | {per_window(run, 'related_hashtags')} | "
            f"{per_window(run, 'influencers')} |"
        )

    rows = [
        row(stream, side, run)
        for stream, sides in found["runs"].items()
        for side, run in sides.items()
    ]
    size = "" if found["count"] == 300_000 else f": {found['count']:,} tweets"
    command = "python -m bench.job_scale"
    if found["count"] != 300_000:
        streams = ",".join(found["runs"])
        command += f" --count {found['count']} --streams {streams} --limit {found['limit_s']:.0f}"
    return f"""
## The whole default job at scale{size}

`{command}`: the default job (every core query, enrichment off) with the
default 1 GiB heap, {found["count"]:,} tweets per stream, one bounded run per line in a process
of its own, start-up included, stopped after {found["limit_s"]:.0f} s. "default" is `tweetflow
produce`'s generator (50 tweets per second of event time); "zipf" is 5,700 tweets per second of
event time, hashtags from a Zipf law over 1,000,000 names. Documents: all the run wrote (a run
stopped at the limit: what it wrote until then); per window: documents of that ranking over
its distinct windows.

{JOB_SCALE_HEAD}
{chr(10).join(rows)}{_before_trending(found)}
"""


TRENDING_HEAD = (
    "| ranking | recall | precision at 10 | lead median s | lead p90 s | evergreen rows "
    "| spam rows | campaigns ranked |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)
TRENDING_ROWS = {
    "trending": "trending: hashtags, words, phrases",
    "trending_hashtags": "trending: its hashtags only",
    "top_hour": "top hashtags, last hour",
    "top_5min": "top hashtags, last 5 minutes",
}


def trending_section(found: dict[str, Any]) -> str:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    def secs(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    rows = []
    for name, label in TRENDING_ROWS.items():
        m = found["rankings"][name]
        rows.append(
            f"| {label} | {pct(m['recall'])} ({m['found']} of {m['bursts']}) | "
            f"{pct(m['precision'])} | {secs(m['lead_median_s'])} | {secs(m['lead_p90_s'])} | "
            f"{m['evergreen_rows']:,} | {m['spam_rows']:,} | "
            f"{m['campaigns_ranked']} of {m['campaigns']} |"
        )
    labels = found["labels"]
    kinds = {k: sum(1 for e in labels if e["kind"] == k) for k in ("burst", "evergreen", "spam")}
    campaigns = sum(1 for e in labels if e["kind"] == "campaign")
    runs = found["runs"]

    def rate(run: dict[str, Any]) -> str:
        return f"{run['tweets_per_s']:,.0f} tweets/s" if run["finished"] else "did not finish"

    return f"""
## Trending against plain top-N, on planted events

`python -m bench.trending`: {found["tweets"]:,} tweets over {found["minutes"]} minutes of event
time: the default generator at {found["per_second"]:g} tweets per second (its own trending tag
left out) with producer/planted.py's labelled events on top: {kinds["burst"]} bursts (hashtags
and two-word phrases alternating; ramps of 1 to 10 minutes, peaks of 30 to 300 tweets a minute,
each from a different author), {kinds["evergreen"]} evergreen tags (150 tweets a minute all
along), {kinds["spam"]} single-account spam floods (120 a minute for 10 minutes) and
{campaigns} copy-paste campaigns (60 new accounts a minute for 5 minutes, the same text). Two
bounded runs of the job, each in a process of its own: `trending` beside `top_hashtags` (one
hour sliding by the minute; {rate(runs["trending"])}), then `top_hashtags` over 5 minutes
sliding by the minute ({rate(runs["top_5min"])}); each ranking's top 10 per minute, after a
30-minute warm-up. Recall: bursts ranked during their life (top-N ranks hashtags only, so its
rows count hashtag bursts, as "its hashtags only" does for trending). Precision at 10: ranked
rows that are a burst's (its key; for a phrase, also its words and the phrases they form)
within its life plus 5 minutes; a campaign's rows are left out of it and counted apart. Lead
time: seconds from a burst's onset to the end of the first minute that ranks it. Evergreen and
spam: rows of those tags.

{TRENDING_HEAD}
{chr(10).join(rows)}
"""
