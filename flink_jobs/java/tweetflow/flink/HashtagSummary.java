package tweetflow.flink;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HASHTAG_SUMMARY(hashtags, user_id, screen_name, followers, top, top_related, top_influencers,
 * capacity): over a window's tweets, its top hashtags (lower-cased; a hashtag twice in a tweet
 * counts twice, as a row per UNNEST element did) by tweets, each with the hashtags used most
 * with it and its most-followed authors. sql/views/hashtag_summaries.sql calls it once per sliding window. It reads a
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

        /** Adds other's counts: keys missing from one side get that side's floor. */
        void merge(Counts other) {
            for (Map.Entry<String, long[]> entry : counts.entrySet()) {
                if (!other.counts.containsKey(entry.getKey())) {
                    entry.getValue()[0] += other.floor;
                    entry.getValue()[1] += other.floor;
                }
            }
            for (Map.Entry<String, long[]> entry : other.counts.entrySet()) {
                long[] mine = counts.get(entry.getKey());
                if (mine == null) {
                    counts.put(
                            entry.getKey(),
                            new long[] {entry.getValue()[0] + floor, entry.getValue()[1] + floor});
                } else {
                    mine[0] += entry.getValue()[0];
                    mine[1] += entry.getValue()[1];
                }
            }
            floor += other.floor;
        }

        void trim(int capacity) {
            if (counts.size() <= capacity) {
                return;
            }
            List<Map.Entry<String, long[]>> ranked = new ArrayList<>(counts.entrySet());
            ranked.sort(BY_COUNT);
            for (Map.Entry<String, long[]> evicted : ranked.subList(capacity, ranked.size())) {
                floor = Math.max(floor, evicted.getValue()[0]);
                counts.remove(evicted.getKey());
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

    /** Java compares UTF-16 units; Flink compares strings by UTF-8 bytes: code point order. */
    static final Comparator<String> CODE_POINTS =
            (a, b) -> {
                int i = 0, j = 0;
                while (i < a.length() && j < b.length()) {
                    int x = a.codePointAt(i), y = b.codePointAt(j);
                    if (x != y) {
                        return Integer.compare(x, y);
                    }
                    i += Character.charCount(x);
                    j += Character.charCount(y);
                }
                return Integer.compare(a.length() - i, b.length() - j);
            };

    static final Comparator<Map.Entry<String, Tag>> BY_TWEETS =
            Comparator.<Map.Entry<String, Tag>>comparingLong(e -> -e.getValue().tweets)
                    .thenComparing(Map.Entry::getKey, CODE_POINTS);

    static final Comparator<Map.Entry<String, long[]>> BY_COUNT =
            Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                    .thenComparing(Map.Entry::getKey, CODE_POINTS);

    static final Comparator<Map.Entry<String, Author>> BY_FOLLOWERS =
            Comparator.<Map.Entry<String, Author>>comparingLong(e -> -e.getValue().followers)
                    .thenComparing(e -> e.getValue().screenName, CODE_POINTS)
                    .thenComparing(Map.Entry::getKey, CODE_POINTS);

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
            Integer capacity) {
        summary.top = top;
        summary.topRelated = topRelated;
        summary.topInfluencers = topInfluencers;
        summary.capacity = capacity;
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

    public void merge(Summary summary, Iterable<Summary> others) {
        for (Summary other : others) {
            summary.top = other.top;
            summary.topRelated = other.topRelated;
            summary.topInfluencers = other.topInfluencers;
            summary.capacity = other.capacity;
            for (Map.Entry<String, Tag> entry : summary.tags.entrySet()) {
                if (!other.tags.containsKey(entry.getKey())) {
                    Tag mine = entry.getValue();
                    mine.tweets += other.floor;
                    mine.error += other.floor;
                    mine.related.floor += other.floor;
                    for (long[] count : mine.related.counts.values()) {
                        count[0] += other.floor;
                        count[1] += other.floor;
                    }
                }
            }
            for (Map.Entry<String, Tag> entry : other.tags.entrySet()) {
                Tag theirs = entry.getValue();
                Tag mine = summary.tags.get(entry.getKey());
                if (mine == null) {
                    mine = summary.tag(entry.getKey()); // starts at this side's floor
                }
                mine.tweets += theirs.tweets;
                mine.error += theirs.error;
                mine.related.merge(theirs.related);
                for (Map.Entry<String, Author> author : theirs.authors.entrySet()) {
                    mine.authors
                            .computeIfAbsent(author.getKey(), id -> new Author())
                            .update(author.getValue().screenName, author.getValue().followers);
                }
            }
            summary.floor += other.floor;
            summary.held = summary.size();
            summary.bound();
        }
    }

    @Override
    public Row[] getValue(Summary summary) {
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
        List<Map.Entry<String, Author>> ranked = new ArrayList<>(tag.authors.entrySet());
        ranked.sort(BY_FOLLOWERS);
        for (Map.Entry<String, Author> evicted : ranked.subList(capacity, ranked.size())) {
            tag.authors.remove(evicted.getKey());
        }
    }
}
