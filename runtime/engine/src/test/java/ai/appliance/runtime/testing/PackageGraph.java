package ai.appliance.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The package dependency graph of a module's sources, for the tests that keep packages from depending on each other
 * in a circle (a cycle makes them one unit in disguise: neither can be understood, tested or moved without the
 * other). A dependency is an import (static and wildcard included) or a fully qualified {@code ai.appliance.*} name in
 * code; comments and string literals do not count. {@code runtime/package-cycles.sh} prints the same graph from the
 * command line.
 */
public final class PackageGraph {
    private PackageGraph() {
    }

    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    /** A class of ai.appliance.* named with its package (group 1), or a wildcard import of a package. */
    private static final Pattern REFERENCE = Pattern.compile(
            "(?<![\\w.$])(ai\\.appliance(?:\\.[a-z_][a-z0-9_]*)+)\\.([A-Z][\\w$]*|\\*)");

    /** Source text by path relative to {@code root}. */
    public static Map<Path, String> sources(Path root) {
        assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is the module's source folder");
        try (var files = Files.walk(root)) {
            var result = new TreeMap<Path, String>();
            for (var file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                result.put(root.relativize(file), Files.readString(file));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param edges package to the packages it uses (of this source set only), each with the first file and
     *              class behind it
     */
    public record Graph(Map<String, Map<String, String>> edges) {

        public static Graph of(Map<Path, String> sources) {
            var declared = new HashMap<Path, String>();
            var code = new HashMap<Path, String>();
            for (var source : sources.entrySet()) {
                var text = codeOnly(source.getValue());
                var pkg = PACKAGE.matcher(text);
                if (pkg.find()) {
                    declared.put(source.getKey(), pkg.group(1));
                    code.put(source.getKey(), text);
                }
            }
            var edges = new TreeMap<String, Map<String, String>>();
            declared.values().forEach(p -> edges.put(p, new TreeMap<>()));
            new TreeMap<>(code).forEach((file, text) -> {
                var from = declared.get(file);
                var m = REFERENCE.matcher(text);
                while (m.find()) {
                    var to = m.group(1);
                    if (!to.equals(from) && edges.containsKey(to)) {
                        edges.get(from).putIfAbsent(to, file.toString().replace('\\', '/') + " (" + m.group(2) + ")");
                    }
                }
            });
            return new Graph(edges);
        }

        public Set<String> packages() {
            return edges.keySet();
        }

        public boolean dependsOn(String from, String to) {
            return edges.getOrDefault(from, Map.of()).containsKey(to);
        }

        /**
         * One shortest cycle through each package that no cycle listed before passes through, with the file behind
         * every step; empty when the packages form no circle.
         */
        public List<String> cycles() {
            return cycles(Set.of());
        }

        /** As {@link #cycles()}, leaving out cycles that pass only through the packages of {@code allowed}. */
        public List<String> cycles(Set<String> allowed) {
            var result = new ArrayList<String>();
            var covered = new TreeSet<String>();
            for (var start : edges.keySet()) {
                if (covered.contains(start)) {
                    continue;
                }
                var cycle = shortestCycle(start);
                if (cycle.isEmpty()) {
                    continue;
                }
                covered.addAll(cycle);
                if (allowed.containsAll(cycle)) {
                    continue;
                }
                var text = new StringBuilder(String.join(" -> ", cycle));
                for (int i = 0; i + 1 < cycle.size(); i++) {
                    text.append("\n    ").append(cycle.get(i)).append(" -> ").append(cycle.get(i + 1)).append(": ")
                            .append(edges.get(cycle.get(i)).get(cycle.get(i + 1)));
                }
                result.add(text.toString());
            }
            return result;
        }

        /** From {@code start} back to it, breadth first; empty if there is no way back. */
        private List<String> shortestCycle(String start) {
            var cameFrom = new HashMap<String, String>();
            var queue = new ArrayDeque<String>();
            queue.add(start);
            while (!queue.isEmpty() && !cameFrom.containsKey(start)) {
                var at = queue.poll();
                for (var next : edges.get(at).keySet()) {
                    if (!cameFrom.containsKey(next)) {
                        cameFrom.put(next, at);
                        queue.add(next);
                    }
                }
            }
            if (!cameFrom.containsKey(start)) {
                return List.of();
            }
            var path = new ArrayList<String>();
            path.add(start);
            for (var at = cameFrom.get(start); !at.equals(start); at = cameFrom.get(at)) {
                path.addFirst(at);
            }
            path.addFirst(start);
            return path;
        }

        @Override
        public String toString() {
            return edges.entrySet().stream()
                    .map(e -> e.getKey() + " -> " + (e.getValue().isEmpty() ? "(none)" : String.join(", ", e.getValue().keySet())))
                    .collect(Collectors.joining("\n"));
        }
    }

    /** {@code text} with comments removed and string, text-block and char literals emptied; line breaks kept. */
    public static String codeOnly(String text) {
        var out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                text.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                out.append(' ');
                i = end;
            } else if (text.startsWith("//", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                out.append("\"\"");
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(c).append(c);
                i = j + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
