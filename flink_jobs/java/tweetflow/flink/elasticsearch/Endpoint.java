package tweetflow.flink.elasticsearch;

import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Where and how the writers reach Elasticsearch. HTTPS uses the JVM's trust store (the job
 * sets it from TWEETFLOW_ES_CA_FILE). The credentials never reach a log: toString leaves them out.
 */
final class Endpoint implements Serializable {

    private static final long serialVersionUID = 1L;
    // Only what the writer reads of the answer: a bulk's full response repeats index, id,
    // version and shard counts for every document, and would be parsed on every request.
    private static final String BULK = "/_bulk?filter_path=errors,items.*.status,items.*.error";

    private final List<String> hosts;
    private final String pathPrefix;
    private final String authorization;
    private final Duration connectTimeout;
    private final Duration socketTimeout;

    Endpoint(List<String> hosts, String pathPrefix, String username, String password,
            String apiKey, Duration connectTimeout, Duration socketTimeout) {
        this.hosts = List.copyOf(hosts);
        this.pathPrefix = pathPrefix == null ? "" : "/" + pathPrefix.replaceAll("^/+|/+$", "");
        if (apiKey != null && !apiKey.isEmpty()) {
            this.authorization = "ApiKey " + apiKey;
        } else if (username != null && !username.isEmpty()) {
            String pair = username + ":" + (password == null ? "" : password);
            this.authorization =
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        } else {
            this.authorization = null;
        }
        this.connectTimeout = connectTimeout;
        this.socketTimeout = socketTimeout;
    }

    int hostCount() {
        return hosts.size();
    }

    String host(int attempt) {
        return hosts.get(Math.floorMod(attempt, hosts.size()));
    }

    HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .build();
    }

    HttpRequest bulk(String host, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder()
                .uri(URI.create(host.replaceAll("/+$", "") + pathPrefix + BULK))
                .timeout(socketTimeout)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    @Override
    public String toString() {
        return hosts + (authorization == null ? "" : " (authenticated)");
    }
}
