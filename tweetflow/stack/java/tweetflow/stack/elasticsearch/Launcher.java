package tweetflow.stack.elasticsearch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.elasticsearch.bootstrap.ServerArgs;
import org.elasticsearch.common.io.stream.OutputStreamStreamOutput;
import org.elasticsearch.common.settings.KeyStoreWrapper;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;

/**
 * Starts an Elasticsearch 8.x/9.x server the way its CLI does, without the CLI (a tool of the
 * tar distribution, not published to Maven Central): the server reads its arguments from
 * standard input, then keeps reading it and stops when it closes. This hands it the
 * arguments, then an input that never ends, so the server lives until it is signalled.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        Path home = Path.of(System.getProperty("es.path.home"));
        Path config = Path.of(System.getProperty("es.path.conf"));
        // The node's settings come as key=value arguments: reading elasticsearch.yml here would
        // parse YAML before the server has set up its logging, which the parser needs.
        Settings.Builder settings = Settings.builder().put("path.home", home.toString());
        for (String arg : args) {
            int equals = arg.indexOf('=');
            settings.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        Environment environment = new Environment(settings.build(), config);
        KeyStoreWrapper keystore = KeyStoreWrapper.create();
        KeyStoreWrapper.addBootstrapSeed(keystore);
        ServerArgs serverArgs = new ServerArgs(false, false, null, keystore,
                environment.settings(), config, environment.logsDir());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        serverArgs.writeTo(new OutputStreamStreamOutput(bytes));
        System.setIn(new SequenceInputStream(
                new ByteArrayInputStream(bytes.toByteArray()), new Endless()));
        Method main = Class.forName("org.elasticsearch.bootstrap.Elasticsearch")
                .getDeclaredMethod("main", String[].class);
        main.setAccessible(true);
        main.invoke(null, (Object) new String[0]);
    }

    /** Standard input that blocks forever: the server takes its end as the order to stop. */
    private static final class Endless extends InputStream {
        @Override
        public int read() throws java.io.IOException {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }
}
