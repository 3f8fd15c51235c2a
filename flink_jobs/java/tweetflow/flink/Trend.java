package tweetflow.flink;

/**
 * One key's trend state and the rule that moves it a bucket at a time: the state TRENDING keeps
 * per hashtag or term (its public fields are what Flink stores), and the arithmetic
 * tests/support/reference.py repeats operation for operation, so both give the same doubles.
 *
 * <p>The baseline is an exponentially weighted mean and variance of the key's distinct authors
 * per bucket (weight alpha = 2 / (span + 1)); a bucket without the key counts as 0. The score
 * of a bucket is computed against the baseline before the bucket joins it:
 * (authors - mean) / sqrt(max(variance, mean) + 1): a z-score whose variance is at least the
 * mean's (Poisson counts), plus one so a key seen rarely needs more than a handful of authors.
 * A bucket that stands out (a score above the exit score) joins the mean only as far as the
 * exit score, and not the variance: a burst raises its own baseline slowly, so a trend is not
 * explained away by itself, while a lasting change of level is absorbed in time. A key not
 * seen before (or forgotten) starts from a baseline of 0: a new key with enough authors is
 * news. At a job's start every key is new, so there the first full bucket only sets each
 * key's baseline (a seed: mean = its authors, variance 0; Trending says which bucket).
 *
 * <p>Lifecycle, with hysteresis: a key starts trending (emerging) when its score reaches the
 * enter score and its authors the minimum support; it stays a trend until its score falls below
 * the lower exit score. While trending: emerging as long as each bucket sets a new peak,
 * peaking once one does not, fading once a bucket has at most half the peak; a new peak brings
 * a fading trend back to peaking.
 */
public class Trend {
    public static final int QUIET = 0;
    public static final int EMERGING = 1;
    public static final int PEAKING = 2;
    public static final int FADING = 3;
    private static final String[] PHASES = {"quiet", "emerging", "peaking", "fading"};

    public static String phaseName(int phase) {
        return PHASES[phase];
    }

    /** The exponentially weighted mean and variance of distinct authors per bucket. */
    public double mean;

    public double variance;
    /** The end (epoch ms) of the last bucket counted; 0 before the first. */
    public long lastEnd;

    public int phase;
    /** While trending: the most authors in a bucket, and the end of the bucket it started in. */
    public long peak;

    public long since;

    public Trend() {}

    /** As a key never seen. */
    public void forget() {
        mean = variance = 0.0;
        lastEnd = peak = since = 0L;
        phase = QUIET;
    }

    /** The parameters of the rule, the same for every key (and the last bucket's figures). */
    public static final class Rule {
        final double alpha;
        final long minAuthors;
        final double enterScore;
        final double exitScore;
        // Of the bucket step last counted, for its row: not kept in the state.
        private double score;
        private double baseline;

        public Rule(int spanBuckets, long minAuthors, double enterScore, double exitScore) {
            if (spanBuckets < 1 || minAuthors < 1 || exitScore > enterScore) {
                throw new IllegalArgumentException("a trend needs a baseline span of at least one"
                        + " bucket, a minimum support of at least one author and an exit score"
                        + " no higher than the enter score");
            }
            this.alpha = 2.0 / (spanBuckets + 1.0);
            this.minAuthors = minAuthors;
            this.enterScore = enterScore;
            this.exitScore = exitScore;
        }

        /**
         * Counts the bucket ending at bucketEnd with this many distinct authors; true if the key
         * is trending after it. A key never counted before starts from a baseline of 0, or,
         * when seed is set, takes this bucket as its baseline without a score.
         */
        public boolean step(Trend t, long authors, long bucketEnd, boolean seed) {
            double x = authors;
            boolean first = t.lastEnd == 0L;
            t.lastEnd = bucketEnd;
            if (first && seed) {
                t.mean = x;
                score = 0.0;
                baseline = x;
                return false;
            }
            double mean = t.mean;
            double deviation = Math.sqrt(Math.max(t.variance, mean) + 1.0);
            score = (x - mean) / deviation;
            baseline = mean;
            if (t.phase == QUIET) {
                if (score >= enterScore && authors >= minAuthors) {
                    t.phase = EMERGING;
                    t.peak = authors;
                    t.since = bucketEnd;
                }
            } else if (score < exitScore) {
                t.phase = QUIET;
                t.peak = 0L;
                t.since = 0L;
            } else if (authors > t.peak) {
                t.peak = authors;
                t.phase = t.phase == EMERGING ? EMERGING : PEAKING;
            } else if (2 * authors <= t.peak) {
                t.phase = FADING;
            } else if (t.phase == EMERGING) {
                t.phase = PEAKING;
            }
            double ceiling = mean + exitScore * deviation;
            if (x > ceiling) {
                t.mean = mean + alpha * (ceiling - mean);
            } else {
                double diff = x - mean;
                double increment = alpha * diff;
                t.mean = mean + increment;
                t.variance = (1.0 - alpha) * (t.variance + diff * increment);
            }
            return t.phase != QUIET;
        }

        /** The score of the bucket step last counted. */
        public double score() {
            return score;
        }

        /** The baseline mean the bucket step last counted was scored against. */
        public double baseline() {
            return baseline;
        }
    }
}
