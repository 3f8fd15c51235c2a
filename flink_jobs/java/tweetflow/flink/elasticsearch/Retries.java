package tweetflow.flink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;

/** How long to wait before sending again what Elasticsearch could not take, and how often. */
final class Retries implements Serializable {

    private static final long serialVersionUID = 1L;
    // Short enough that writing resumes within 10 s of Elasticsearch coming back.
    private static final long LONGEST_DELAY_MS = 10_000;

    final boolean exponential;
    final int maxRetries;
    final long firstDelayMs;

    Retries(String strategy, int maxRetries, Duration firstDelay) {
        this.exponential = "EXPONENTIAL".equalsIgnoreCase(strategy);
        this.maxRetries = "DISABLED".equalsIgnoreCase(strategy) ? 0 : maxRetries;
        this.firstDelayMs = firstDelay.toMillis();
    }

    /** The delay before the retry-th retry (1 for the first). */
    long delayMs(int retry) {
        if (!exponential) {
            return Math.min(firstDelayMs, LONGEST_DELAY_MS);
        }
        long delay = firstDelayMs << Math.min(Math.max(retry - 1, 0), 20);
        return Math.min(delay, LONGEST_DELAY_MS);
    }

    boolean exhausted(int attempts) {
        return attempts > maxRetries;
    }
}
