package ai.appliance.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.scheduler.PrefixCache;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Per-version scheduler gauges as /metrics shows them (Prometheus text). */
class ServingMetricsTest {

    @Test
    void aVersionReloadedUnderItsOwnNameKeepsOneSeriesUntilBothSchedulersAreFreed() {
        var metrics = new ServingMetrics();
        var draining = metrics.loaded("m", "v1", Duration.ofSeconds(1));
        var reloaded = metrics.loaded("m", "v1", Duration.ofSeconds(2));
        draining.queueDepth(3);
        reloaded.queueDepth(4);

        var both = metrics.scrape();
        assertEquals(7.0, Exposition.value(both, "appliance_queue_requests{model=\"m\",version=\"v1\"}"),
                "the series sums both schedulers of the version: " + both);
        assertEquals(2.0, Exposition.value(both, "appliance_model_load_seconds{model=\"m\",version=\"v1\"}"), both);

        draining.close();
        var reloadedOnly = metrics.scrape();
        assertEquals(4.0, Exposition.value(reloadedOnly, "appliance_queue_requests{model=\"m\",version=\"v1\"}"),
                "freeing the drained scheduler leaves the reloaded one's series: " + reloadedOnly);

        reloaded.close();
        reloaded.close();
        assertFalse(metrics.scrape().contains("version=\"v1\""), metrics.scrape());
    }

    @Test
    void latenciesAreHistogramsInSecondsAndCountersEndInTotal() {
        var metrics = new ServingMetrics();
        var observer = metrics.loaded("m", "v1", Duration.ofSeconds(1));
        observer.queueWait(3_000_000);
        observer.firstToken(40_000_000);
        observer.interToken(120_000_000);
        observer.tokens(12, 30);
        metrics.request("rest", 200);
        metrics.promptLength(12);
        var text = metrics.scrape();

        for (var histogram : List.of("appliance_time_to_first_token_seconds", "appliance_time_per_output_token_seconds",
                "appliance_queue_wait_seconds", "appliance_request_prompt_tokens")) {
            assertTrue(text.contains("# TYPE " + histogram + " histogram"), histogram + " is a histogram: " + text);
        }
        assertEquals(1.0, Exposition.value(text, "appliance_time_per_output_token_seconds_bucket{le=\"0.15\"}"),
                "the 150 ms target of the alert is a bucket boundary: " + text);
        assertEquals(0.0, Exposition.value(text, "appliance_time_per_output_token_seconds_bucket{le=\"0.1\"}"), text);
        assertEquals(1.0, Exposition.value(text, "appliance_requests_total{frontend=\"rest\",status=\"200\"}"), text);
        assertEquals(12.0, Exposition.value(text, "appliance_prompt_tokens_total"), text);
        assertEquals(30.0, Exposition.value(text, "appliance_generated_tokens_total"), text);
        assertTrue(text.contains("# TYPE appliance_generated_tokens_total counter"), text);
        assertTrue(Pattern.compile("(?m)^appliance_process_resident_memory_bytes [1-9]").matcher(text).find(),
                "resident memory of this (Linux) process: " + text);
    }

    @Test
    void servedVersionsShowAsModelInfoWithTheirTrafficShare() {
        var metrics = new ServingMetrics();
        metrics.servedModels(List.of(new ServedModelGauges.Row("m", "v1", false, 0.8),
                new ServedModelGauges.Row("m", "v2", false, 0.2)));
        var split = metrics.scrape();
        assertEquals(1.0, Exposition.value(split, "appliance_model_info{demo=\"false\",model=\"m\",version=\"v2\"}"), split);
        assertEquals(0.8, Exposition.value(split, "appliance_model_traffic_ratio{model=\"m\",version=\"v1\"}"), split);

        metrics.servedModels(List.of(new ServedModelGauges.Row("m", "v2", false, 1.0)));
        var switched = metrics.scrape();
        assertFalse(switched.contains("version=\"v1\""), "a retired version's series go: " + switched);
        assertEquals(1.0, Exposition.value(switched, "appliance_model_traffic_ratio{model=\"m\",version=\"v2\"}"), switched);
    }

    @Test
    void kvCacheUseIsTheReservedShareOfTheBudget() {
        var metrics = new ServingMetrics();
        metrics.kvCacheBudget(1000, () -> 250);
        assertEquals(0.25, Exposition.value(metrics.scrape(), "appliance_kv_cache_usage_ratio"), metrics.scrape());
    }

    @Test
    void certificateExpiryIsAUnixTimestamp() {
        var metrics = new ServingMetrics();
        metrics.certificate("server", Instant.ofEpochSecond(1_900_000_000L));
        assertEquals(1.9e9, Exposition.value(metrics.scrape(),
                "appliance_certificate_expiry_timestamp_seconds{use=\"server\"}"), metrics.scrape());
    }

    @Test
    void thePrefixCacheIsScrapedAsPrometheusCountersAndGauges() {
        var metrics = new ServingMetrics();
        metrics.prefixCache(new PrefixCache(1 << 20, 32));
        var text = metrics.scrape();
        for (var series : new String[] {"appliance_prefix_cache_lookups_total 0.0", "appliance_prefix_cache_hits_total 0.0",
                "appliance_prefix_cache_reused_tokens_total 0.0", "appliance_prefix_cache_evictions_total 0.0",
                "appliance_prefix_cache_hit_ratio 0.0", "appliance_prefix_cache_bytes 0.0",
                "appliance_prefix_cache_budget_bytes 1048576.0"}) {
            assertTrue(text.contains(series + "\n"), series + " in " + text);
        }
    }
}
