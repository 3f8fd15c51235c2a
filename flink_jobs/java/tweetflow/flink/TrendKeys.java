package tweetflow.flink;

import org.apache.flink.table.functions.ScalarFunction;

import java.util.LinkedHashSet;
import java.util.Locale;

/**
 * TREND_KEYS(text, hashtags, stop_words): what a tweet can make trend, each once: its hashtags
 * lower-cased with their '#', its words and its two-word phrases. Words as in tweet_words
 * (sql/views/tweet_words.sql): the text lower-cased, URLs, mentions and hashtags removed, split
 * on anything that is not a letter, mark or digit, one-character words and the stop words
 * (comma-separated) dropped; a phrase is two words next to each other once those are gone, so
 * "state of the union" gives "state union". Null for a null text. Its words are TWEET_WORDS'.
 */
public class TrendKeys extends ScalarFunction {

    private final TweetWords tweetWords = new TweetWords();

    public String[] eval(String text, String[] hashtags, String stopWords) {
        if (text == null) {
            return null;
        }
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        if (hashtags != null) {
            for (String tag : hashtags) {
                if (tag != null) {
                    keys.add("#" + tag.toLowerCase(Locale.ROOT));
                }
            }
        }
        String previous = null;
        for (String word : TweetWords.words(text, tweetWords.stopSet(stopWords))) {
            keys.add(word);
            if (previous != null) {
                keys.add(previous + " " + word);
            }
            previous = word;
        }
        return keys.toArray(new String[0]);
    }
}
