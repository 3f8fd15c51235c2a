-- Basic authentication for every Elasticsearch result table, added to the shared options
-- before the result tables copy them; only when TWEETFLOW_ES_USERNAME is set.
ALTER TABLE es_defaults SET (
    'username' = '${es_username}',
    'password' = '${es_password}'
);
