package tweetflow.flink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

import java.util.HashMap;
import java.util.Map;

/**
 * TALLY(metric, value) and TALLY(metric, label, value): value unchanged, and one more on the
 * counter tweetflow_&lt;metric&gt; of the operator that evaluates it (label=value in the second
 * form), which Flink's metric reporters export. SQL has no other way to count what flows past a
 * point of the plan: the call sits in a column a sink or the next operator reads, so the
 * planner can neither prune it nor evaluate it twice (it is declared non-deterministic, which
 * also keeps it from being folded into a constant or copied into every consumer).
 */
public class Tally extends ScalarFunction {

    public static final String GROUP = "tweetflow";

    private transient MetricGroup group;
    private transient Map<String, Counter> counters;

    @Override
    public void open(FunctionContext context) {
        group = context.getMetricGroup().addGroup(GROUP);
        counters = new HashMap<>();
    }

    @Override
    public boolean isDeterministic() {
        return false;
    }

    public String eval(String metric, String value) {
        counters.computeIfAbsent(metric, group::counter).inc();
        return value;
    }

    public String eval(String metric, String label, String value) {
        String shown = value == null ? "null" : value;
        counters.computeIfAbsent(metric + '\0' + label + '\0' + shown,
                key -> group.addGroup(label, shown).counter(metric)).inc();
        return value;
    }
}
