package tweetflow.flink;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * HASHTAG_SUMMARY(hashtags, user_id, screen_name, followers, top, top_related, top_influencers,
 * capacity, transient_merges): over a window's tweets, its top hashtags (lower-cased; a
 * hashtag twice in a tweet counts twice, as a row per UNNEST element did) by tweets, each with
 * the hashtags used most with it and its most-followed authors. sql/views/hashtag_summaries.sql calls it once per sliding window. It reads a
 * tweet's hashtags itself rather than a row per hashtag from UNNEST: the planner then computes
 * the summary once for its three queries (a correlated UNNEST below it is never reused).
 *
 * <p>Why a function: as three SQL queries (a window aggregate per hashtag, per hashtag pair and
 * per hashtag and author, each ranked) the state and the rows every window emits grow with the
 * distinct hashtags times the windows that overlap (60 for an hour sliding every minute); a
 * firehose hour ran the job out of memory. Here the state is one summary per slice of the
 * window (a minute), bounded by {@code capacity}, and a window's result is its slices merged.
 *
 * <p>Exact mode ({@code capacity} 0, or while no slice holds more than 1.25 x {@code capacity}
 * counters: hashtags, (hashtag, related hashtag) pairs and (hashtag, author) pairs): nothing
 * is evicted, and the rows equal those of window aggregates over a row per tweet and hashtag
 * (tests/support/reference.py): ranks by tweets descending then hashtag ascending (related:
 * tweets, then the related hashtag; authors: highest followers_count, then highest
 * screen_name, then user id), strings in code point order as Flink compares them, hashtags
 * lower-cased by Java's toLowerCase as LOWER is. A NULL hashtag counts for nothing.
 *
 * <p>Bounded mode (Space-Saving, Metwally et al. 2005, evicting in batches): past 1.25 x
 * capacity counters, each hashtag keeps its 4 x top_related most used related hashtags and
 * its 4 x top_influencers most-followed authors, then the least used hashtags go until
 * capacity counters are left; the summary's floor becomes the highest count evicted (and a
 * hashtag's own floor its highest related count evicted). A hashtag (re)entering starts at
 * floor with an error of floor. So every reported count over-states the truth by at most the
 * window's floor, and every hashtag used more often than that is in the summary. Merging
 * slices adds counts; a hashtag missing from a slice adds that slice's floor to its count and
 * error.
 *
 * <p>top_related or top_influencers 0: no related hashtags or no authors are kept (a job
 * without the related_hashtags or the influencers query).
 *
 * <p>transient_merges: true only when merge() never builds a summary that is kept in state
 * (one-phase aggregation: it merges a window's slices when the window fires). A window's
 * summary then keeps its slices as parts and is read from them (see merge); where its slices
 * had evicted, its counts are those of merging them without evicting at the window (closer to
 * the truth, within the same bound).
 */
@FunctionHint(
        accumulator = @DataTypeHint(value = "RAW", bridgedTo = HashtagSummary.Summary.class),
        output = @DataTypeHint(HashtagSummary.OUTPUT))
public class HashtagSummary extends AggregateFunction<Row[], HashtagSummary.Summary> {

    static final String OUTPUT =
            "ARRAY<ROW<rn INT, hashtag STRING, tweets BIGINT,"
                    + " related ARRAY<ROW<rn INT, related STRING, tweets BIGINT>>,"
                    + " influencers ARRAY<ROW<rn INT, user_id STRING, screen_name STRING,"
                    + " followers BIGINT>>>>";

    /** Per hashtag: a Space-Saving count, its related hashtags and its authors. */
    public static final class Tag {
        public long tweets;
        public long error;
        public Counts related = new Counts();
        public HashMap<String, Author> authors = new HashMap<>();

        /** Merging a summary that lacks this hashtag: its floor, on every count. */
        void absent(long floor) {
            if (floor == 0) {
                return;
            }
            tweets += floor;
            error += floor;
            related.floor += floor;
            for (long[] count : related.counts.values()) {
                count[0] += floor;
                count[1] += floor;
            }
        }

        /** Merging another summary's count of this hashtag; returns the counters added. */
        long absorb(Tag theirs) {
            tweets += theirs.tweets;
            error += theirs.error;
            long added = related.merge(theirs.related);
            for (Map.Entry<String, Author> author : theirs.authors.entrySet()) {
                Author kept = authors.get(author.getKey());
                if (kept == null) {
                    kept = new Author();
                    authors.put(author.getKey(), kept);
                    added += 1;
                }
                kept.update(author.getValue().screenName, author.getValue().followers);
            }
            return added;
        }
    }

    /** An author's highest screen name and followers count, as MAX() of each would give. */
    public static final class Author {
        public String screenName;
        public long followers;

        void update(String name, long count) {
            if (screenName == null || CODE_POINTS.compare(name, screenName) > 0) {
                screenName = name;
            }
            followers = Math.max(followers, count);
        }
    }

    /** A Space-Saving summary of related hashtags: counts, errors and the floor. */
    public static final class Counts {
        public HashMap<String, long[]> counts = new HashMap<>(); // {count, error}
        public long floor;

        /** Whether key was new. */
        boolean add(String key, long count, long error) {
            long[] entry = counts.get(key);
            if (entry == null) {
                counts.put(key, new long[] {floor + count, floor + error});
                return true;
            }
            entry[0] += count;
            entry[1] += error;
            return false;
        }

        /**
         * Adds other's counts: keys missing from one side get that side's floor. Returns how
         * many keys were new here.
         */
        int merge(Counts other) {
            if (other.floor > 0) {
                for (Map.Entry<String, long[]> entry : counts.entrySet()) {
                    if (!other.counts.containsKey(entry.getKey())) {
                        entry.getValue()[0] += other.floor;
                        entry.getValue()[1] += other.floor;
                    }
                }
            }
            int added = 0;
            for (Map.Entry<String, long[]> entry : other.counts.entrySet()) {
                long[] theirs = entry.getValue();
                long[] mine = counts.get(entry.getKey());
                if (mine == null) {
                    counts.put(entry.getKey(), new long[] {theirs[0] + floor, theirs[1] + floor});
                    added += 1;
                } else {
                    mine[0] += theirs[0];
                    mine[1] += theirs[1];
                }
            }
            floor += other.floor;
            return added;
        }

        void trim(int capacity) {
            if (counts.size() <= capacity) {
                return;
            }
            Map.Entry<String, long[]> last = kth(counts.entrySet(), capacity, BY_COUNT);
            Iterator<Map.Entry<String, long[]>> entries = counts.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<String, long[]> entry = entries.next();
                if (BY_COUNT.compare(entry, last) > 0) {
                    floor = Math.max(floor, entry.getValue()[0]);
                    entries.remove();
                }
            }
        }
    }

    /** The accumulator: one per slice of the window, and one per window while it fires. */
    public static final class Summary {
        public int top;
        public int topRelated;
        public int topInfluencers;
        public int capacity; // 0: exact
        public HashMap<String, Tag> tags = new HashMap<>();
        public long floor;
        public long held; // counters: size(), kept up to date
        // Set by accumulate from the job: merge() only builds a window's summary at its firing
        // (one-phase aggregation), never a summary kept in state. Transient, as parts: neither
        // is ever part of a stored summary, and stored summaries keep their old form.
        transient boolean transientMerges;
        // The slices a window's summary stands for, not yet merged: getValue reads them.
        transient List<Summary> parts;
        transient long partTags;

        Tag tag(String hashtag) {
            Tag tag = tags.get(hashtag);
            if (tag == null) {
                tag = new Tag();
                // A hashtag evicted before may have had up to floor uses, their related
                // hashtags unknown: Space-Saving's over-estimate, with that much error.
                tag.tweets = floor;
                tag.error = floor;
                tag.related.floor = floor;
                tags.put(hashtag, tag);
                held += 1;
            }
            return tag;
        }

        /** Counters held: hashtags, related pairs and author pairs. */
        public long size() {
            long size = tags.size();
            for (Tag tag : tags.values()) {
                size += tag.related.counts.size() + tag.authors.size();
            }
            return size;
        }

        /**
         * Past 1.25 x capacity counters: every hashtag's related hashtags and authors cut to
         * four times what is reported, then the least used hashtags evicted down to capacity.
         */
        void bound() {
            if (capacity <= 0 || held <= capacity + capacity / 4) {
                return;
            }
            for (Tag tag : tags.values()) {
                tag.related.trim(4 * Math.max(1, topRelated));
                trimAuthors(tag, 4 * Math.max(1, topInfluencers));
            }
            held = size();
            if (held <= capacity) {
                return;
            }
            List<Map.Entry<String, Tag>> ranked = new ArrayList<>(tags.entrySet());
            ranked.sort(BY_TWEETS);
            long kept = 0;
            for (Map.Entry<String, Tag> entry : ranked) {
                Tag tag = entry.getValue();
                long cost = 1 + tag.related.counts.size() + tag.authors.size();
                if (kept + cost <= capacity) {
                    kept += cost;
                } else {
                    floor = Math.max(floor, tag.tweets);
                    tags.remove(entry.getKey());
                }
            }
            held = kept;
        }
    }

    /**
     * Java compares UTF-16 units; Flink compares strings by UTF-8 bytes: code point order. The
     * two differ only where a surrogate is at the first unit that differs, so units are compared
     * until then (ranking ties on names is much of a window's firing).
     */
    static final Comparator<String> CODE_POINTS =
            (a, b) -> {
                int n = Math.min(a.length(), b.length());
                for (int k = 0; k < n; k++) {
                    char x = a.charAt(k), y = b.charAt(k);
                    if (x != y) {
                        if (!Character.isSurrogate(x) && !Character.isSurrogate(y)) {
                            return Character.compare(x, y);
                        }
                        int from = k > 0 && Character.isHighSurrogate(a.charAt(k - 1)) ? k - 1 : k;
                        return byCodePoints(a, b, from);
                    }
                }
                return Integer.compare(a.length(), b.length());
            };

    private static int byCodePoints(String a, String b, int from) {
        int i = from, j = from;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    // Written out rather than chained (comparingLong(...).thenComparing(...)): a window's
    // firing ranks every slice's authors and related hashtags, and the chained lambdas were a
    // visible share of it.
    static final Comparator<Map.Entry<String, Tag>> BY_TWEETS =
            (a, b) -> {
                int order = Long.compare(b.getValue().tweets, a.getValue().tweets);
                return order != 0 ? order : CODE_POINTS.compare(a.getKey(), b.getKey());
            };

    static final Comparator<Map.Entry<String, long[]>> BY_COUNT =
            (a, b) -> {
                int order = Long.compare(b.getValue()[0], a.getValue()[0]);
                return order != 0 ? order : CODE_POINTS.compare(a.getKey(), b.getKey());
            };

    static final Comparator<Map.Entry<String, Author>> BY_FOLLOWERS =
            (a, b) -> {
                Author x = a.getValue(), y = b.getValue();
                int order = Long.compare(y.followers, x.followers);
                if (order == 0) {
                    order = CODE_POINTS.compare(x.screenName, y.screenName);
                }
                return order != 0 ? order : CODE_POINTS.compare(a.getKey(), b.getKey());
            };

    @Override
    public Summary createAccumulator() {
        return new Summary();
    }

    public void accumulate(
            Summary summary,
            String[] hashtags,
            String userId,
            String screenName,
            Long followers,
            Integer top,
            Integer topRelated,
            Integer topInfluencers,
            Integer capacity,
            Boolean transientMerges) {
        summary.top = top;
        summary.topRelated = topRelated;
        summary.topInfluencers = topInfluencers;
        summary.capacity = capacity;
        summary.transientMerges = Boolean.TRUE.equals(transientMerges);
        materialize(summary);
        if (hashtags == null) {
            return;
        }
        String[] lowered = new String[hashtags.length];
        for (int i = 0; i < hashtags.length; i++) {
            lowered[i] = hashtags[i] == null ? null : hashtags[i].toLowerCase();
        }
        for (String hashtag : lowered) {
            if (hashtag == null) {
                continue;
            }
            Tag tag = summary.tag(hashtag);
            tag.tweets += 1;
            for (int i = 0; topRelated > 0 && i < lowered.length; i++) {
                String related = lowered[i];
                // as LOWER(other) <> hashtag: the tag itself and NULL are never related
                if (related != null && !related.equals(hashtag) && tag.related.add(related, 1, 0)) {
                    summary.held += 1;
                }
            }
            if (topInfluencers > 0 && userId != null && screenName != null) {
                Author author = tag.authors.get(userId);
                if (author == null) {
                    author = new Author();
                    tag.authors.put(userId, author);
                    summary.held += 1;
                }
                author.update(screenName, followers == null ? 0 : followers);
            }
        }
        summary.bound();
    }

    /**
     * A window's firing merges every slice of the window (60 for an hour sliding by the
     * minute) into a new summary, copying each slice's related hashtags and authors, though
     * only the top hashtags' are ever read: most of the whole job's CPU at the generator's
     * density. Where merges only build a window's summary to read (one-phase aggregation, the
     * job's transient_merges), the slices are kept as parts and getValue reads the top
     * hashtags' details from them; past 16 x capacity hashtags in its parts the summary is
     * merged as a copy after all, so memory stays bounded by the capacity.
     */
    public void merge(Summary summary, Iterable<Summary> others) {
        for (Summary other : others) {
            summary.top = other.top;
            summary.topRelated = other.topRelated;
            summary.topInfluencers = other.topInfluencers;
            summary.capacity = other.capacity;
            materialize(other);
            if (other.transientMerges && summary.tags.isEmpty() && summary.floor == 0) {
                if (summary.parts == null) {
                    summary.parts = new ArrayList<>();
                }
                summary.parts.add(other);
                summary.partTags += other.tags.size();
                if (summary.capacity > 0 && summary.partTags > 16L * summary.capacity) {
                    materialize(summary);
                }
                continue;
            }
            materialize(summary);
            mergeCopy(summary, other);
        }
    }

    /** Merges a summary's parts into it as copies, as merge does without them. */
    private static void materialize(Summary summary) {
        if (summary.parts == null) {
            return;
        }
        List<Summary> parts = summary.parts;
        summary.parts = null;
        summary.partTags = 0;
        for (Summary part : parts) {
            mergeCopy(summary, part);
        }
    }

    private static void mergeCopy(Summary summary, Summary other) {
        if (other.floor > 0) {
            for (Map.Entry<String, Tag> entry : summary.tags.entrySet()) {
                if (!other.tags.containsKey(entry.getKey())) {
                    entry.getValue().absent(other.floor);
                }
            }
        }
        for (Map.Entry<String, Tag> entry : other.tags.entrySet()) {
            Tag mine = summary.tag(entry.getKey()); // new: starts at this side's floor, counted
            long added = mine.absorb(entry.getValue());
            summary.held += added;
        }
        summary.floor += other.floor;
        summary.bound();
    }

    @Override
    public Row[] getValue(Summary summary) {
        if (summary.parts != null) {
            return fromParts(summary);
        }
        List<Map.Entry<String, Tag>> ranked = new ArrayList<>(summary.tags.entrySet());
        ranked.sort(BY_TWEETS);
        int n = Math.min(summary.top, ranked.size());
        Row[] rows = new Row[n];
        for (int i = 0; i < n; i++) {
            Tag tag = ranked.get(i).getValue();
            rows[i] =
                    Row.of(
                            i + 1,
                            ranked.get(i).getKey(),
                            tag.tweets,
                            related(tag, summary.topRelated),
                            influencers(tag, summary.topInfluencers));
        }
        return rows;
    }

    /**
     * What merging the parts as copies and reading that gives, with no eviction in between:
     * a hashtag's tweets are the sum over the parts of its count, or a part's floor where it
     * is missing; only the top hashtags are merged whole, part by part, as merge would.
     */
    private static Row[] fromParts(Summary summary) {
        long floors = 0;
        HashMap<String, long[]> excess = new HashMap<>();
        for (Summary part : summary.parts) {
            floors += part.floor;
            for (Map.Entry<String, Tag> entry : part.tags.entrySet()) {
                long extra = entry.getValue().tweets - part.floor;
                long[] sum = excess.get(entry.getKey());
                if (sum == null) {
                    excess.put(entry.getKey(), new long[] {extra});
                } else {
                    sum[0] += extra;
                }
            }
        }
        List<Map.Entry<String, long[]>> ranked = new ArrayList<>(excess.entrySet());
        int n = Math.min(summary.top, ranked.size());
        if (n > 0 && n < ranked.size()) {
            Map.Entry<String, long[]> last = kth(ranked, n, BY_COUNT);
            ranked.removeIf(entry -> BY_COUNT.compare(entry, last) > 0);
        }
        ranked.sort(BY_COUNT); // the floors' sum is the same for every hashtag
        Row[] rows = new Row[n];
        for (int i = 0; i < n; i++) {
            String hashtag = ranked.get(i).getKey();
            Tag tag = new Tag();
            for (Summary part : summary.parts) {
                Tag theirs = part.tags.get(hashtag);
                if (theirs == null) {
                    tag.absent(part.floor);
                } else {
                    tag.absorb(theirs);
                }
            }
            rows[i] =
                    Row.of(
                            i + 1,
                            hashtag,
                            floors + ranked.get(i).getValue()[0],
                            related(tag, summary.topRelated),
                            influencers(tag, summary.topInfluencers));
        }
        return rows;
    }

    private static Row[] related(Tag tag, int top) {
        List<Map.Entry<String, long[]>> ranked = new ArrayList<>(tag.related.counts.entrySet());
        ranked.sort(BY_COUNT);
        Row[] rows = new Row[Math.min(top, ranked.size())];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Row.of(i + 1, ranked.get(i).getKey(), ranked.get(i).getValue()[0]);
        }
        return rows;
    }

    private static Row[] influencers(Tag tag, int top) {
        List<Map.Entry<String, Author>> ranked = new ArrayList<>(tag.authors.entrySet());
        ranked.sort(BY_FOLLOWERS);
        Row[] rows = new Row[Math.min(top, ranked.size())];
        for (int i = 0; i < rows.length; i++) {
            Author author = ranked.get(i).getValue();
            rows[i] = Row.of(i + 1, ranked.get(i).getKey(), author.screenName, author.followers);
        }
        return rows;
    }

    /** The authors with the most followers; one evicted had fewer than all those kept. */
    static void trimAuthors(Tag tag, int capacity) {
        if (tag.authors.size() <= capacity) {
            return;
        }
        Map.Entry<String, Author> last = kth(tag.authors.entrySet(), capacity, BY_FOLLOWERS);
        tag.authors.entrySet().removeIf(entry -> BY_FOLLOWERS.compare(entry, last) > 0);
    }

    /**
     * The k-th of entries in order (k at least 1, fewer than entries): what a full sort would
     * put at k, found with a heap of k instead of sorting every entry each time a summary is
     * bounded (window firings bound the window's summary once per slice merged).
     */
    static <T> T kth(Collection<T> entries, int k, Comparator<T> order) {
        PriorityQueue<T> best = new PriorityQueue<>(k + 1, order.reversed());
        for (T entry : entries) {
            if (best.size() < k) {
                best.add(entry);
            } else if (order.compare(entry, best.peek()) < 0) {
                best.poll();
                best.add(entry);
            }
        }
        return best.peek();
    }
}
