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
 * simple paths tweetflow reads, computed on a tree parsed once. Values print as Flink 1.20's
 * (Jackson's defaults: a fraction is a double, 1000.0 and 1.7672256E12; keys in their order).
 */
final class TweetJson {

    static final ObjectMapper MAPPER = new ObjectMapper(new JsonFactory());

    private TweetJson() {}

    /** The parsed document, or null when the text is not JSON. */
    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    /** JSON_VALUE of a field: its scalar as text; null for a missing, null or non-scalar one. */
    static String value(JsonNode parent, String field) {
        if (parent == null || !parent.isObject()) {
            return null;
        }
        return scalar(parent.get(field));
    }

    static String scalar(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return String.valueOf(node.numberValue());
        }
        return node.asText();
    }

    /**
     * JSON_QUERY(doc, '$.list[*].item' RETURNING ARRAY<STRING>) on the parent of list: the
     * item of every object in list (an array, or an object's values, as the wildcard takes
     * them), objects without it skipped, nested values as JSON; null when list is missing,
     * empty when it is a scalar or null.
     */
    static String[] each(JsonNode parent, String list, String item) {
        if (parent == null || !parent.isObject()) {
            return null;
        }
        JsonNode elements = parent.get(list);
        if (elements == null) {
            return null;
        }
        if (!elements.isContainerNode()) {
            return new String[0]; // the wildcard over a scalar or null matches nothing
        }
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = elements.elements(); it.hasNext(); ) {
            JsonNode element = it.next();
            if (element.isObject() && element.has(item)) {
                out.add(text(element.get(item)));
            }
        }
        return out.toArray(new String[0]);
    }

    /** An array element as JSON_QUERY returns it: a scalar's text, JSON of a container. */
    private static String text(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (!node.isContainerNode()) {
            return scalar(node);
        }
        try {
            return MAPPER.writeValueAsString(node);
        } catch (Exception e) {
            return null;
        }
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
                    return token.isStructStart() ? null : scalarToken(parser, token);
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

    private static String scalarToken(JsonParser parser, JsonToken token) throws Exception {
        switch (token) {
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
}
