package org.elasticsearch.io.ansi;

import java.util.function.Supplier;
import org.elasticsearch.bootstrap.ConsoleLoader;

/**
 * Elasticsearch loads this from lib/tools/ansi-console/ to colour a terminal; the tool is not
 * published to Maven Central. A node of the local stack writes to a log file: no console.
 */
public final class AnsiConsoleLoader implements Supplier<ConsoleLoader.Console> {

    @Override
    public ConsoleLoader.Console get() {
        return null;
    }
}
