-- An Elasticsearch API key for every result table, added to the shared options before the
-- result tables copy them; only when TWEETFLOW_ES_API_KEY is set and TWEETFLOW_ES_USERNAME is not.
ALTER TABLE es_defaults SET (
    'api-key' = '${es_api_key}'
);
