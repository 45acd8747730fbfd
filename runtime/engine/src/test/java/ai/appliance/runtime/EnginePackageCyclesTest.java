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

/** Packages of the engine's {@code src/main/java} do not depend on each other in a circle ({@link PackageGraph}). */
class EnginePackageCyclesTest {


    @Test
    void packagesOfThisModuleDoNotDependOnEachOtherInACircle() {
        var graph = PackageGraph.Graph.of(PackageGraph.sources(Path.of("src/main/java")));
        assertTrue(graph.packages().size() > 5, "scanned src/main/java of the module: " + graph.packages());
        // The checker sees these dependencies, else a passing test would prove nothing.
        assertTrue(graph.dependsOn("ai.appliance.runtime.generation", "ai.appliance.runtime.sampling"), graph.toString());
        assertTrue(graph.dependsOn("ai.appliance.runtime.gguf", "ai.appliance.runtime.tensor"), graph.toString());
        var cycles = graph.cycles();
        assertTrue(cycles.isEmpty(), () -> "package cycles in src/main/java (break them by moving the shared type to "
                + "a package both may use, or by inverting one dependency through an interface):\n"
                + String.join("\n", cycles) + "\n\n" + graph);
    }

    @Test
    void namesEachCycleWithTheFileBehindEveryStepAndIgnoresCommentsAndStrings() {
        var graph = PackageGraph.Graph.of(Map.of(
                Path.of("a/A.java"), """
                        package ai.appliance.x.a;
                        /* ai.appliance.x.b.B in a comment */
                        class A { String s = "ai.appliance.x.b.B"; // ai.appliance.x.b.B
                            ai.appliance.x.c.C c; }
                        """,
                Path.of("b/B.java"), "package ai.appliance.x.b;\nimport ai.appliance.x.a.*;\nclass B { }\n",
                Path.of("c/C.java"), "package ai.appliance.x.c;\nimport static ai.appliance.x.b.B.run;\nclass C { }\n",
                Path.of("d/D.java"), "package ai.appliance.x.d;\nimport ai.appliance.x.a.A;\nclass D { }\n"));
        assertEquals(List.of("""
                ai.appliance.x.a -> ai.appliance.x.c -> ai.appliance.x.b -> ai.appliance.x.a
                    ai.appliance.x.a -> ai.appliance.x.c: a/A.java (C)
                    ai.appliance.x.c -> ai.appliance.x.b: c/C.java (B)
                    ai.appliance.x.b -> ai.appliance.x.a: b/B.java (*)"""), graph.cycles());
    }
}
