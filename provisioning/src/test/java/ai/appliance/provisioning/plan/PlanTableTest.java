package ai.appliance.provisioning.plan;

import ai.appliance.provisioning.testing.RecordedReports;
import ai.appliance.provisioning.testing.SharedFixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/** docs/provisioning.md's plan table is what the planner produces for every recorded report, cell by cell. */
class PlanTableTest {

    private static final double GIB = 1L << 30;

    private static List<List<String>> documentedRows() throws Exception {
        var doc = Files.readString(SharedFixtures.repositoryRoot().resolve("docs/provisioning.md"));
        int begin = doc.indexOf("<!-- plan-table:begin -->");
        int end = doc.indexOf("<!-- plan-table:end -->");
        assertTrue(begin >= 0 && end > begin, "docs/provisioning.md has no plan-table markers");
        var rows = new ArrayList<List<String>>();
        for (var line : doc.substring(begin, end).split("\n")) {
            if (!line.startsWith("|") || line.startsWith("| report") || line.startsWith("| ---")) continue;
            var cells = Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::strip).toList();
            rows.add(cells);
        }
        return rows;
    }

    @Test
    void everyRecordedReportHasADocumentedRowAndNothingElse() throws Exception {
        assertEquals(RecordedReports.ALL, documentedRows().stream().map(List::getFirst).toList());
    }

    @Test
    void plansMatchTheDocumentedTableIncludingTheMemoryArithmetic() throws Exception {
        var planner = new Planner(ModelCatalog.deepSeekR1());
        for (var row : documentedRows()) {
            var report = row.get(0);
            var plan = planner.plan(RecordedReports.load(report));
            var m = plan.memory();
            var actual = List.of(report, plan.profile(), plan.backend(), shortName(plan.model()),
                    plan.quantization().name(), plan.tensorParallel() + "×" + plan.replicas(),
                    Integer.toString(plan.contextLength()), Integer.toString(plan.maxSequences()),
                    gib(m.deviceBytes()), gib(m.usableBytes()), gib(m.weightsBytes()), gib(m.runtimeOverheadBytes()),
                    gib(m.kvCacheBytes()), gib(m.workspaceBytes()),
                    gib(m.steadyBytes()) + " / " + gib(m.steadyLimitBytes()),
                    gib(m.peakBytes()) + " / " + gib(m.peakLimitBytes()),
                    String.valueOf(plan.decodeTokensPerSecondBound()));
            assertEquals(row, actual, "plan for " + report + " differs from docs/provisioning.md");
        }
    }

    @Test
    void everyPlanKeepsSteadyUnder80AndPeakUnder85PercentAndItsInternalSums() {
        var planner = new Planner(ModelCatalog.deepSeekR1());
        for (var report : RecordedReports.ALL) {
            var m = planner.plan(RecordedReports.load(report)).memory();
            assertEquals(m.weightsBytes() + m.runtimeOverheadBytes() + m.kvCacheBytes(), m.steadyBytes(), report);
            assertEquals(m.steadyBytes() + m.workspaceBytes(), m.peakBytes(), report);
            assertTrue(m.steadyBytes() <= 0.80 * m.usableBytes(), report);
            assertTrue(m.peakBytes() <= 0.85 * m.usableBytes(), report);
        }
    }

    private static String shortName(String model) {
        return model.startsWith("DeepSeek-R1-Distill-") ? model.substring("DeepSeek-".length()) : model;
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / GIB);
    }
}
