package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.arch.llama.LlamaConfig;
import static ai.appliance.runtime.generation.FinishReason.EOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.metrics.ServingMetrics;
import ai.appliance.runtime.metrics.VersionMetrics;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.arch.llama.LlamaVariant;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.scheduler.FinishReason;
import ai.appliance.runtime.scheduler.Generation;
import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.scheduler.SchedulerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Routing between versions: A/B weights, switching, freeing retired versions (engine test double). */
class ModelCatalogTest {

    private static final class Version implements LoadedModel {
        final String version;
        final AtomicBoolean closed = new AtomicBoolean();
        /** Holds every forward pass until the test counts down, so a request stays in the batch meanwhile. */
        final CountDownLatch stepMayEnd = new CountDownLatch(1);

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
                    return new LlamaConfig(LlamaVariant.QWEN2, 8, 8, 8, 1, 1, 1, 8, 1e-6f, 1e4, RopeStyle.HALVES, null,
                            null, 64, true);
                }

                @Override
                public Sequence newSequence(int capacity) {
                    return new Sequence() {
                        @Override
                        public int length() {
                            return 0;
                        }

                        @Override
                        public int capacity() {
                            return capacity;
                        }

                        @Override
                        public void close() {
                        }
                    };
                }

                @Override
                public float[][] forward(List<Sequence> sequences, List<int[]> tokens) {
                    try {
                        stepMayEnd.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new float[sequences.size()][8];
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

    /** A request that ends with its first token. */
    private static final class OneToken implements Generation {
        @Override
        public int[] promptTokens() {
            return new int[] {1};
        }

        @Override
        public Step next(float[] logits) {
            return new Step(0, "", "", new FinishReason.Completed(EOS));
        }

        @Override
        public Step finish(FinishReason reason) {
            return new Step(-1, "", "", reason);
        }
    }

    private static final GenerationListener IGNORED = new GenerationListener() {
        @Override
        public void onDelta(String content, String reasoning,
                            java.util.List<ai.appliance.runtime.scheduler.ToolCallDelta> toolCalls,
                            java.util.List<ai.appliance.runtime.scheduler.TextLogprob> logprobs) {
        }

        @Override
        public void onFinished(Outcome outcome) {
        }

        @Override
        public void onFailed(RuntimeException error) {
        }
    };

    private static String awaitScrape(ServingMetrics metrics, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        var text = metrics.scrape();
        while (!condition.test(text) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            text = metrics.scrape();
        }
        return text;
    }

    @Test
    void weightedSplitRoutesTrafficInProportion() {
        try (var catalog = new ModelCatalog(SchedulerSettings.DEFAULT, VersionMetrics.NONE, Duration.ofSeconds(1))) {
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
        try (var catalog = new ModelCatalog(SchedulerSettings.DEFAULT, VersionMetrics.NONE, Duration.ofSeconds(1))) {
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

    @Test
    void eachLoadedVersionHasItsOwnMetricSeriesUntilItIsFreed() throws Exception {
        var metrics = new ServingMetrics();
        var v1 = new Version("v1");
        var v2 = new Version("v2");
        try (var catalog = new ModelCatalog(SchedulerSettings.DEFAULT, metrics, Duration.ofSeconds(1))) {
            catalog.add(v1, Duration.ofMillis(1500), true);
            catalog.add(v2, Duration.ofMillis(2500), false);
            catalog.route("m").scheduler().submit(new OneToken(), 1, Long.MAX_VALUE, IGNORED);

            var both = awaitScrape(metrics, t -> t.contains("appliance_running_sequences{model=\"m\",version=\"v1\"} 1.0"));
            assertTrue(both.contains("appliance_running_sequences{model=\"m\",version=\"v1\"} 1.0"), both);
            assertTrue(both.contains("appliance_running_sequences{model=\"m\",version=\"v2\"} 0.0"),
                    "the idle version keeps its own batch size: " + both);
            assertTrue(both.contains("appliance_queue_requests{model=\"m\",version=\"v2\"} 0.0"), both);
            assertTrue(both.contains("appliance_kv_cache_positions{model=\"m\",state=\"reserved\",version=\"v2\"} 0.0"),
                    both);
            assertTrue(both.contains("appliance_model_load_seconds{model=\"m\",version=\"v1\"} 1.5"), both);
            assertTrue(both.contains("appliance_model_load_seconds{model=\"m\",version=\"v2\"} 2.5"), both);

            v1.stepMayEnd.countDown();
            catalog.switchTo("m", "v2");
            var after = awaitScrape(metrics, t -> !t.contains("version=\"v1\""));
            assertTrue(v1.closed.get(), "v1 drained and was freed");
            assertFalse(after.contains("version=\"v1\""), "a freed version's series are gone: " + after);
            assertTrue(after.contains("appliance_running_sequences{model=\"m\",version=\"v2\"} 0.0"), after);
            assertTrue(after.contains("appliance_model_load_seconds{model=\"m\",version=\"v2\"} 2.5"), after);
        }
    }
}
