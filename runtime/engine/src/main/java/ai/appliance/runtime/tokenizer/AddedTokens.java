package ai.appliance.runtime.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added/special token strings in text before any other processing, the way Hugging Face extracts added
 * tokens: leftmost match wins, the longest at that position. What lies between matches is ordinary text.
 */
final class AddedTokens {

    /** One token matched by its literal text. {@code lstrip}/{@code rstrip} swallow neighbouring whitespace. */
    record Entry(String content, int id, boolean special, boolean lstrip, boolean rstrip) {
    }

    /** A piece of the input: ordinary text ({@code id == -1}) or one matched token. */
    record Segment(String text, int id) {
        boolean isToken() {
            return id >= 0;
        }
    }

    private final Map<Character, List<Entry>> byFirstChar = new HashMap<>();

    AddedTokens(List<Entry> entries) {
        for (var e : entries) {
            if (e.content().isEmpty()) continue;
            byFirstChar.computeIfAbsent(e.content().charAt(0), k -> new ArrayList<>()).add(e);
        }
        for (var list : byFirstChar.values()) {
            list.sort(Comparator.comparingInt((Entry e) -> e.content().length()).reversed());
        }
    }

    List<Segment> split(String text, boolean includeSpecial) {
        var segments = new ArrayList<Segment>();
        if (byFirstChar.isEmpty()) {
            if (!text.isEmpty()) segments.add(new Segment(text, -1));
            return segments;
        }
        int plainStart = 0;
        int i = 0;
        while (i < text.length()) {
            var match = matchAt(text, i, includeSpecial);
            if (match == null) {
                i++;
                continue;
            }
            int plainEnd = i;
            if (match.lstrip()) {
                while (plainEnd > plainStart && Character.isWhitespace(text.charAt(plainEnd - 1))) plainEnd--;
            }
            if (plainEnd > plainStart) segments.add(new Segment(text.substring(plainStart, plainEnd), -1));
            segments.add(new Segment(match.content(), match.id()));
            i += match.content().length();
            if (match.rstrip()) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
            }
            plainStart = i;
        }
        if (plainStart < text.length()) segments.add(new Segment(text.substring(plainStart), -1));
        return segments;
    }

    private Entry matchAt(String text, int i, boolean includeSpecial) {
        var candidates = byFirstChar.get(text.charAt(i));
        if (candidates == null) return null;
        for (var e : candidates) {
            if ((includeSpecial || !e.special()) && text.startsWith(e.content(), i)) return e;
        }
        return null;
    }
}
