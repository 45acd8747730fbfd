package ai.appliance.runtime.config;

import java.util.ArrayList;
import java.util.regex.Pattern;

/**
 * The YAML parser's error as one line. SnakeYAML writes several: what it was parsing and where, the offending
 * source line, a caret under it, then the problem and where. A service log and a terminal both want one line, and
 * the positions say all the source excerpt says.
 */
final class ParserMessages {

    private static final Pattern WHERE = Pattern.compile("^\\s*in '[^']*', (line \\d+, column \\d+):?\\s*$");

    private ParserMessages() {
    }

    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "not valid YAML";
        }
        var parts = new ArrayList<String>();
        for (var line : message.split("\\R")) {
            var where = WHERE.matcher(line);
            if (where.matches() && !parts.isEmpty()) {
                parts.set(parts.size() - 1, parts.getLast() + " (" + where.group(1) + ")");
            } else if (!line.isBlank() && !line.startsWith("    ") && !line.strip().equals("^")) {
                parts.add(line.strip());
            }
        }
        return parts.isEmpty() ? message.replaceAll("\\s+", " ").strip() : String.join(": ", parts);
    }
}
