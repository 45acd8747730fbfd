package ai.appliance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import ai.appliance.runtime.testing.PackageGraph;
import org.junit.jupiter.api.Test;

/** Packages of the server's {@code src/main/java} do not depend on each other in a circle ({@link PackageGraph}). */
class PackageCyclesTest {

    @Test
    void packagesOfThisModuleDoNotDependOnEachOtherInACircle() {
        var graph = PackageGraph.Graph.of(PackageGraph.sources(Path.of("src/main/java")));
        assertTrue(graph.packages().size() > 5, "scanned src/main/java of the module: " + graph.packages());
        // The checker sees these dependencies, else a passing test would prove nothing.
        assertTrue(graph.dependsOn("ai.appliance.runtime.serving", "ai.appliance.runtime.security"), graph.toString());
        assertTrue(graph.dependsOn("ai.appliance.runtime.security", "ai.appliance.runtime.api"), graph.toString());
        var cycles = graph.cycles();
        assertTrue(cycles.isEmpty(), () -> "package cycles in src/main/java (break them by moving the shared type to "
                + "a package both may use, or by inverting one dependency through an interface):\n"
                + String.join("\n", cycles) + "\n\n" + graph);
    }
}
