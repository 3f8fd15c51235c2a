package tweetflow.flink;

import org.apache.flink.table.functions.ScalarFunction;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * TREND_KEYS(text, hashtags, stop_words): what a tweet can make trend, each once: its hashtags
 * lower-cased with their '#', its words and its two-word phrases. Words as in tweet_words
 * (sql/views/tweet_words.sql): the text lower-cased, URLs, mentions and hashtags removed, split
 * on anything that is not a letter, mark or digit, one-character words and the stop words
 * (comma-separated) dropped; a phrase is two words next to each other once those are gone, so
 * "state of the union" gives "state union". Null for a null text.
 */
public class TrendKeys extends ScalarFunction {

    private static final Pattern URL_OR_TAG =
            Pattern.compile("(https?://[^ \\t\\n\\f\\r]+)|([#@\\uFF03\\uFF20][^ \\t\\n\\f\\r]*)");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{M}\\p{Nd}]+");

    private transient String stopText;
    private transient Set<String> stops;

    public String[] eval(String text, String[] hashtags, String stopWords) {
        if (text == null) {
            return null;
        }
        if (!stopWords.equals(stopText)) {
            stops = new HashSet<>(Arrays.asList(stopWords.split(",")));
            stopText = stopWords;
        }
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        if (hashtags != null) {
            for (String tag : hashtags) {
                if (tag != null) {
                    keys.add("#" + tag.toLowerCase(Locale.ROOT));
                }
            }
        }
        String cleaned = NOT_WORD.matcher(
                URL_OR_TAG.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ")).replaceAll(" ");
        String previous = null;
        for (String word : cleaned.split(" ")) {
            if (word.codePointCount(0, word.length()) <= 1 || stops.contains(word)) {
                continue;
            }
            keys.add(word);
            if (previous != null) {
                keys.add(previous + " " + word);
            }
            previous = word;
        }
        return keys.toArray(new String[0]);
    }
}
