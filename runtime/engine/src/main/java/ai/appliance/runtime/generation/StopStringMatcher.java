package ai.appliance.runtime.generation;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text is released only once it can no longer be the start
 * of a stop string; on a match, the text before it is released and the stop string is dropped.
 */
final class StopStringMatcher {
    private final List<String> stopStrings;
    private final StringBuilder held = new StringBuilder();
    private boolean matched;

    StopStringMatcher(List<String> stopStrings) {
        this.stopStrings = stopStrings;
    }

    /** Adds text; returns the part now safe to emit. After a match, {@link #matched()} is true. */
    String append(String text) {
        if (matched) return "";
        held.append(text);
        int earliest = -1;
        for (var stop : stopStrings) {
            int at = held.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
        }
        if (earliest >= 0) {
            matched = true;
            var out = held.substring(0, earliest);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixStartingAStop();
        var out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The text held back, released when the generation ends for another reason. */
    String flush() {
        var out = held.toString();
        held.setLength(0);
        return out;
    }

    boolean matched() {
        return matched;
    }

    private int longestSuffixStartingAStop() {
        int best = 0;
        for (var stop : stopStrings) {
            for (int len = Math.min(stop.length() - 1, held.length()); len > best; len--) {
                if (endsWithPrefix(stop, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean endsWithPrefix(String stop, int len) {
        int start = held.length() - len;
        for (int i = 0; i < len; i++) if (held.charAt(start + i) != stop.charAt(i)) return false;
        return true;
    }
}
