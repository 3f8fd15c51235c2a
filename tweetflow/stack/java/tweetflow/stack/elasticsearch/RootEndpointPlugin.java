package tweetflow.stack.elasticsearch;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;

/**
 * GET / of an Elasticsearch node: its name and version. The distribution's rest-root module
 * answers it and is not published to Maven Central; clients (Python's, Grafana's, Kibana's)
 * read it first to learn which server they talk to.
 */
public final class RootEndpointPlugin extends Plugin implements ActionPlugin {

    @Override
    public Collection<RestHandler> getRestHandlers(Settings settings,
            NamedWriteableRegistry registry, RestController controller,
            ClusterSettings clusterSettings, IndexScopedSettings indexScopedSettings,
            SettingsFilter settingsFilter, IndexNameExpressionResolver resolver,
            Supplier<DiscoveryNodes> nodes, Predicate<NodeFeature> features) {
        return List.of(new Root(settings));
    }

    private static final class Root extends BaseRestHandler {
        private final String body;

        Root(Settings settings) {
            Build build = Build.current();
            this.body = "{\"name\":\"" + settings.get("node.name", "") + "\","
                    + "\"cluster_name\":\"" + settings.get("cluster.name", "") + "\","
                    + "\"cluster_uuid\":\"_na_\","
                    + "\"version\":{\"number\":\"" + build.version() + "\","
                    + "\"build_flavor\":\"" + build.flavor() + "\",\"build_type\":\"tar\","
                    + "\"build_hash\":\"" + build.hash() + "\","
                    + "\"build_date\":\"" + build.date() + "\",\"build_snapshot\":false,"
                    + "\"lucene_version\":\"" + org.apache.lucene.util.Version.LATEST + "\","
                    + "\"minimum_wire_compatibility_version\":\"7.17.0\","
                    + "\"minimum_index_compatibility_version\":\"7.0.0\"},"
                    + "\"tagline\":\"You Know, for Search\"}";
        }

        @Override
        public String getName() {
            return "tweetflow_root";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> channel.sendResponse(
                    new RestResponse(RestStatus.OK, "application/json", body));
        }
    }
}
