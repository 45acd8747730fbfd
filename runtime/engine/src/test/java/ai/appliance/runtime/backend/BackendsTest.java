package ai.appliance.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

class BackendsTest {

    @Test
    void theCpuBackendIsFoundByNameAndIsTheDefault() {
        assertTrue(Backends.installed().containsKey("cpu"), Backends.installed().keySet().toString());
        try (var backend = Backends.open(null, new BackendOptions(1))) {
            assertInstanceOf(CpuBackend.class, backend);
        }
        assertEquals("cpu", Backends.provider(" cpu ").name());
    }

    @Test
    void anUnknownNameIsAnErrorListingTheInstalledBackends() {
        var e = assertThrows(UnknownBackendException.class, () -> Backends.open("cuda", new BackendOptions(1)));
        assertTrue(e.getMessage().contains("'cuda' is not installed") && e.getMessage().contains("cpu (CPU, Java Vector API)"),
                e.getMessage());
    }

    @Test
    void negativeThreadCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BackendOptions(-1));
    }

    /** A stand-in GPU provider: runs when {@code reason} is null, says why not otherwise. */
    private record FakeProvider(String name, String reason) implements BackendProvider {
        @Override public String description() { return "fake " + name; }
        @Override public String unavailableReason() { return reason; }
        @Override public Backend create(BackendOptions options) { throw new UnsupportedOperationException(); }
    }

    private static final BackendProvider CPU = new CpuBackendProvider();

    @Test
    void autoTakesTheFirstGpuProviderThatCanRunAndNamesTheOnesSkipped() {
        var cuda = new FakeProvider("cuda", "libcuda.so.1 not found");
        var edge = new FakeProvider("edge", null);
        var later = new FakeProvider("later", null);
        var choice = Backends.choose(List.of(CPU, cuda, edge, later));
        assertEquals("edge", choice.provider().name());
        assertEquals("using edge (fake edge); skipped cuda: libcuda.so.1 not found", choice.why());
    }

    @Test
    void autoFallsBackToCpuSayingWhyEachGpuProviderWasSkipped() {
        var choice = Backends.choose(List.of(new FakeProvider("cuda", "libcuda.so.1 not found"), CPU,
                new FakeProvider("jetson", "no Orin GPU")));
        assertEquals("cpu", choice.provider().name());
        assertEquals("no GPU backend can run here (cuda: libcuda.so.1 not found; jetson: no Orin GPU): using cpu",
                choice.why());
        assertEquals("no GPU backend installed: using cpu", Backends.choose(List.of(CPU)).why());
    }

    @Test
    void aProviderWhoseProbeThrowsIsSkippedNotFatal() {
        BackendProvider throwing = new BackendProvider() {
            @Override public String name() { return "broken"; }
            @Override public String description() { return "throws"; }
            @Override public String unavailableReason() { throw new UnsatisfiedLinkError("no libfoo"); }
            @Override public Backend create(BackendOptions options) { throw new UnsupportedOperationException(); }
        };
        var choice = Backends.choose(List.of(throwing, CPU));
        assertEquals("cpu", choice.provider().name());
        assertTrue(choice.why().contains("broken: probe failed: java.lang.UnsatisfiedLinkError: no libfoo"), choice.why());
    }

    @Test
    void autoWithoutAnyRunnableBackendIsAnError() {
        var e = assertThrows(UnknownBackendException.class,
                () -> Backends.choose(List.of(new FakeProvider("cuda", "no driver"))));
        assertTrue(e.getMessage().contains("(cuda: no driver)"), e.getMessage());
    }

    @Test
    void autoOnTheClassPathPicksCpuHereAndLogsExactlyOneInfoLine() {
        var logger = Logger.getLogger(Backends.class.getName());
        var records = new ArrayList<LogRecord>();
        var handler = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        logger.addHandler(handler);
        try (var backend = Backends.open(Backends.AUTO, new BackendOptions(1))) {
            assertInstanceOf(CpuBackend.class, backend);
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(1, records.size(), records.toString());
        assertEquals(Level.INFO, records.getFirst().getLevel());
        assertTrue(records.getFirst().getMessage().endsWith(": using cpu"), records.getFirst().getMessage());
    }
}
