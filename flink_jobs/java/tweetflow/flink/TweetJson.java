package tweetflow.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What Flink's JSON_VALUE and JSON_QUERY (lax mode, NULL on empty and on error) return for the
 * simple paths tweetflow reads, computed while streaming through the document once. Values
 * print as Flink 1.20's (Jackson's defaults: a fraction is a double, 1000.0 and 1.7672256E12;
 * nested JSON with its keys in their order).
 */
final class TweetJson {

    static final ObjectMapper MAPPER = new ObjectMapper(new JsonFactory());

    private TweetJson() {}

    /**
     * JSON_VALUE of the value at the parser's current token: a scalar's text; null for null or
     * a container, which is skipped.
     */
    static String scalar(JsonParser parser, JsonToken token) throws Exception {
        switch (token) {
            case START_OBJECT:
            case START_ARRAY:
                parser.skipChildren();
                return null;
            case VALUE_NULL:
                return null;
            case VALUE_NUMBER_INT:
                return String.valueOf(parser.getNumberValue());
            case VALUE_NUMBER_FLOAT:
                return String.valueOf(parser.getDoubleValue());
            default:
                return parser.getText();
        }
    }

    /** A list element's item as JSON_QUERY returns it: a scalar's text, JSON of a container. */
    static String itemText(JsonParser parser, JsonToken token) throws Exception {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            return MAPPER.writeValueAsString(MAPPER.readTree(parser));
        }
        return scalar(parser, token);
    }

    /**
     * JSON_QUERY(doc, '$.list[*].item' RETURNING ARRAY<STRING>) on a parsed list: the item of
     * every object among its elements (an array's, or an object's values, as the wildcard
     * takes them), objects without it skipped, nested values as JSON.
     */
    static String[] each(JsonNode elements, String item) throws Exception {
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = elements.elements(); it.hasNext(); ) {
            JsonNode element = it.next();
            if (element.isObject() && element.has(item)) {
                out.add(nodeText(element.get(item)));
            }
        }
        return out.toArray(new String[0]);
    }

    private static String nodeText(JsonNode node) throws Exception {
        if (node.isNull()) {
            return null;
        }
        if (node.isContainerNode()) {
            return MAPPER.writeValueAsString(node);
        }
        return node.isNumber() ? String.valueOf(node.numberValue()) : node.asText();
    }

    /**
     * JSON_VALUE(doc, '$.field') for a top-level field, read by streaming up to its first
     * occurrence, building nothing: the source computes every record's event time with it, and
     * tweets carry timestamp_ms near the start. Unlike JSON_VALUE, the first of duplicate keys
     * wins and what follows the field is not checked; TWEET_FIELDS still dead-letters such a
     * record, which at worst moves the watermark by a timestamp no later than the job allows.
     */
    static String topLevelValue(String text, String field) {
        if (text == null) {
            return null;
        }
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(parser.getCurrentName());
                JsonToken token = parser.nextToken();
                if (wanted) {
                    return token.isStructStart() ? null : scalar(parser, token);
                }
                if (token.isStructStart()) {
                    parser.skipChildren();
                }
            }
            return null;
        } catch (Exception e) {
            return null; // not JSON before the field: JSON_VALUE's NULL ON ERROR
        }
    }
}
