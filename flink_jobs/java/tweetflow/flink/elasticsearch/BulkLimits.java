package tweetflow.flink.elasticsearch;

import java.io.Serializable;

/** How much a writer batches, buffers and has in flight. */
final class BulkLimits implements Serializable {

    private static final long serialVersionUID = 1L;

    final int maxActions;
    final int maxInFlight;
    final int maxBuffered;
    final long maxBytes;
    final long intervalMs;

    BulkLimits(int maxActions, int maxInFlight, int maxBuffered, long maxBytes, long intervalMs) {
        this.maxActions = maxActions;
        this.maxInFlight = maxInFlight;
        this.maxBuffered = maxBuffered;
        this.maxBytes = maxBytes;
        this.intervalMs = intervalMs;
    }
}
