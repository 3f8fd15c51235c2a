"""tweetflow: real-time tweet analytics on Apache Flink SQL."""

__version__ = "0.1.0"
