-- SASL authentication and TLS for every Kafka table, added to the shared options before the
-- tables copy them; only when TWEETFLOW_KAFKA_SECURITY_PROTOCOL is set. The login module is
-- the connector's shaded class; Kafka's clients log the JAAS configuration as [hidden].
ALTER TABLE kafka_defaults SET (
    'properties.security.protocol' = '${kafka_security_protocol}',
    'properties.sasl.mechanism' = '${kafka_sasl_mechanism}',
    'properties.sasl.jaas.config' = '${kafka_sasl_jaas_config}'
);
