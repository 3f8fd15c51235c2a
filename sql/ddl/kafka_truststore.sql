-- The CA that signed the brokers' certificates (a PEM file every TaskManager can read); only
-- when TWEETFLOW_KAFKA_SSL_CAFILE is set or the local stack made one, else the JVM's own CAs.
ALTER TABLE kafka_defaults SET (
    'properties.ssl.truststore.type' = 'PEM',
    'properties.ssl.truststore.location' = '${kafka_ssl_cafile}'
);
