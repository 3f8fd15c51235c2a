"""The bottom layer: typed settings, connections (Kafka's security, Elasticsearch), pinned
versions, verified downloads, Java, TLS and errors. It imports nothing else of tweetflow's;
producer/, flink_jobs/ and the rest of tweetflow build on it."""
