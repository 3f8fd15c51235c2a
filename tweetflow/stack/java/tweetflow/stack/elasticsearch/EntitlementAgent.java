package tweetflow.stack.elasticsearch;

import java.lang.instrument.Instrumentation;

/**
 * The Java agent Elasticsearch 8.19+ attaches to itself to install its entitlement checks.
 * Its own agent jar is not published to Maven Central; what it does is this: call the
 * initialisation class the server names with the Instrumentation, which does the work.
 */
public final class EntitlementAgent {

    private EntitlementAgent() {}

    public static void agentmain(String initializationClass, Instrumentation instrumentation)
            throws Exception {
        Class.forName(initializationClass, true, ClassLoader.getSystemClassLoader())
                .getMethod("initialize", Instrumentation.class)
                .invoke(null, instrumentation);
    }
}
