package ai.appliance.runtime.metrics;

import java.util.regex.Pattern;

/** Reads one sample's value out of Prometheus text, whatever number format the registry chose (1, 1.0, 1E9). */
final class Exposition {

    private Exposition() {
    }

    /** The value of {@code series} (name and labels exactly as exposed), or NaN when there is no such sample. */
    static double value(String text, String series) {
        var m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
