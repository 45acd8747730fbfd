package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.testing.ReferenceChecks.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.testing.Fixtures;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prefix cache through the real scheduler and the fixture models of both cache layouts (Llama/Qwen2's K/V rows,
 * DeepSeek's compressed latent rows): a prompt that reuses cached blocks gets the logits it gets with the cache off,
 * rows never cross model versions, and the cache stays within its bytes.
 *
 * <p>"The same logits" allows {@link #SAME}: the cached and the computed run make the very same forward calls, but the
 * JIT may have moved a kernel from one compiled tier to another in between, and tiers round differently (seen: up to 1.3e-5).
 * Rows of a wrong position or prompt move logits by tenths.
 */
class PrefixCacheTest {
    private static final int BLOCK = 16;
    private static final double SAME = 1e-4;
    /** Prompts run in pieces of one block, so cached and computed runs make the very same forward calls. */
    private static final SchedulerSettings SETTINGS = new SchedulerSettings(8, Duration.ZERO, 16, BLOCK);

    private static int[] tokens(long seed, int count) {
        var random = new SplittableRandom(seed);
        var ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = 10 + random.nextInt(1000);
        return ids;
    }

    private static int[] concat(int[] a, int[] b) {
        var out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private record Run(float[] logits, Outcome outcome) { }

    private static Run run(Scheduler scheduler, int[] prompt) throws Exception {
        var generation = new FirstLogitsGeneration(prompt);
        var listener = new RecordingListener();
        scheduler.submit(generation, 1, Long.MAX_VALUE, listener);
        var outcome = listener.await();
        return new Run(generation.logits, outcome);
    }

    private static Scheduler scheduler(LanguageModel model, PrefixCache cache) {
        return new Scheduler("test", model, SETTINGS, SchedulerObserver.NONE, KvBudget.of(0), cache);
    }

    private static float[] withoutCache(LanguageModel model, int[] prompt) throws Exception {
        var scheduler = scheduler(model, PrefixCache.disabled());
        try {
            return run(scheduler, prompt).logits();
        } finally {
            scheduler.shutdown(Duration.ZERO);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-deepseek-v2-lite"})
    void aPromptReusingCachedBlocksGetsTheLogitsOfComputingThem(String name) throws Exception {
        var system = tokens(1, 70);
        var first = concat(system, tokens(2, 9));
        var second = concat(system, tokens(3, 12));
        try (var files = ModelFiles.open(Fixtures.model(name)); var model = LanguageModels.onCpu(files, 2)) {
            var expected = withoutCache(model, second);
            var cache = new PrefixCache(64L << 20, BLOCK);
            var scheduler = scheduler(model, cache);
            try {
                assertEquals(0, run(scheduler, first).outcome().cachedPromptTokens(), "nothing cached yet");
                assertTrue(cache.bytes() > 0, "the first prompt's full blocks are kept");
                var reused = run(scheduler, second);
                assertEquals(64, reused.outcome().cachedPromptTokens(), "the 4 full blocks of the shared 70 tokens");
                assertClose(expected, reused.logits(), SAME, name + ": logits with 64 cached positions");
                var again = run(scheduler, second);
                assertEquals(80, again.outcome().cachedPromptTokens(), "5 of 82 tokens' blocks, the last token run");
                assertClose(expected, again.logits(), SAME, name + ": logits with 80 cached positions");
                assertEquals(3, cache.lookups());
                assertEquals(2, cache.hits());
                assertEquals(144, cache.reusedTokens());
            } finally {
                scheduler.shutdown(Duration.ZERO);
            }
            assertEquals(0, cache.bytes(), "a stopped version's blocks are dropped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-deepseek-v2-lite"})
    void rowsAreNeverSharedBetweenModelVersions(String name) throws Exception {
        var prompt = tokens(4, 50);
        var cache = new PrefixCache(64L << 20, BLOCK);
        try (var files = ModelFiles.open(Fixtures.model(name)); var v1 = LanguageModels.onCpu(files, 1);
             var v2 = LanguageModels.onCpu(files, 1)) {
            var one = scheduler(v1, cache);
            var two = scheduler(v2, cache);
            try {
                run(one, prompt);
                long oneBytes = cache.bytes();
                assertEquals(0, run(two, prompt).outcome().cachedPromptTokens(),
                        "the same weights loaded as another version start with nothing cached");
                assertEquals(48, run(two, prompt).outcome().cachedPromptTokens(), "but reuse their own blocks");
                one.shutdown(Duration.ZERO);
                assertEquals(oneBytes, cache.bytes(), "only the stopped version's blocks went");
            } finally {
                one.shutdown(Duration.ZERO);
                two.shutdown(Duration.ZERO);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-deepseek-v2-lite"})
    void evictionKeepsTheCacheWithinItsBytesAndLogitsStayTheSame(String name) throws Exception {
        try (var files = ModelFiles.open(Fixtures.model(name)); var model = LanguageModels.onCpu(files, 2)) {
            long blockBytes;
            var probe = new PrefixCache(64L << 20, BLOCK);
            var measuring = scheduler(model, probe);
            try {
                run(measuring, tokens(5, BLOCK + 1));
                blockBytes = probe.bytes();
            } finally {
                measuring.shutdown(Duration.ZERO);
            }
            assertTrue(blockBytes > 0);
            long limit = 3 * blockBytes + blockBytes / 2;
            var cache = new PrefixCache(limit, BLOCK);
            var scheduler = scheduler(model, cache);
            var prompts = new int[][] {tokens(6, 3 * BLOCK + 1), tokens(7, 3 * BLOCK + 1), tokens(8, 3 * BLOCK + 1)};
            try {
                for (var prompt : prompts) {
                    run(scheduler, prompt);
                    assertTrue(cache.bytes() <= limit, cache.bytes() + " bytes cached, limit " + limit);
                }
                assertEquals(9 - 3, cache.evictions(), "9 blocks stored, room for 3");
                for (var prompt : prompts) {
                    var rerun = run(scheduler, prompt);
                    assertClose(withoutCache(model, prompt), rerun.logits(), SAME,
                            name + " with " + rerun.outcome().cachedPromptTokens() + " cached positions");
                    assertTrue(cache.bytes() <= limit);
                }
            } finally {
                scheduler.shutdown(Duration.ZERO);
            }
        }
    }
}
