package ai.appliance.runtime.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.model.Architecture;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.scheduler.Generation;
import ai.appliance.runtime.scheduler.SchedulerObserver;
import ai.appliance.runtime.scheduler.SchedulerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Routing between versions: A/B weights, switching, freeing retired versions (engine test double). */
class ModelCatalogTest {

    private static final class Version implements LoadedModel {
        final String version;
        final AtomicBoolean closed = new AtomicBoolean();

        Version(String version) {
            this.version = version;
        }

        @Override
        public String name() {
            return "m";
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public boolean demo() {
            return false;
        }

        @Override
        public LanguageModel engine() {
            return new LanguageModel() {
                @Override
                public ModelConfig config() {
                    return new ModelConfig(Architecture.QWEN2, 8, 8, 8, 1, 1, 1, 8, 1e-6f, 1e4, RopeStyle.HALVES, null,
                            null, 64, true);
                }

                @Override
                public Sequence newSequence(int capacity) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public float[][] forward(List<Sequence> sequences, List<int[]> tokens) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public Generation start(InferenceRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void weightedSplitRoutesTrafficInProportion() {
        try (var catalog = new ModelCatalog(SchedulerSettings.DEFAULT, SchedulerObserver.NONE, Duration.ofSeconds(1))) {
            catalog.add(new Version("v1"), Duration.ZERO, true);
            catalog.add(new Version("v2"), Duration.ZERO, false);
            assertEquals("v1", catalog.route("m").version(), "a version loaded without activate gets no traffic");
            catalog.split("m", Map.of("v1", 0.8, "v2", 0.2));
            int v2 = 0;
            for (int i = 0; i < 10_000; i++) {
                if (catalog.route(null).version().equals("v2")) {
                    v2++;
                }
            }
            assertTrue(v2 > 1700 && v2 < 2300, "about 20% to v2, got " + v2);
            assertThrows(ApiException.class, () -> catalog.split("m", Map.of("v9", 1.0)));
            assertThrows(ApiException.class, () -> catalog.split("m", Map.of("v1", 0.0)));
        }
    }

    @Test
    void switchingRetiresAndFreesTheOldVersion() throws Exception {
        var v1 = new Version("v1");
        try (var catalog = new ModelCatalog(SchedulerSettings.DEFAULT, SchedulerObserver.NONE, Duration.ofSeconds(1))) {
            catalog.add(v1, Duration.ZERO, true);
            catalog.add(new Version("v2"), Duration.ZERO, false);
            catalog.switchTo("m", "v2");
            assertEquals("v2", catalog.route("m").version());
            assertEquals(1, catalog.list().size());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!v1.closed.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(v1.closed.get(), "the retired version is freed once it has drained");
            var missing = assertThrows(ApiException.class, () -> catalog.route("other"));
            assertEquals(ErrorKind.MODEL_NOT_FOUND, missing.kind());
        }
    }
}
