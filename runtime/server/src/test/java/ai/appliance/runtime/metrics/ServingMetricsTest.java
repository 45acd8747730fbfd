package ai.appliance.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.scheduler.PrefixCache;
import java.time.Duration;
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
        assertTrue(both.contains("appliance_queue_depth{model=\"m\",version=\"v1\"} 7.0"),
                "the series sums both schedulers of the version: " + both);
        assertTrue(both.contains("appliance_model_load_seconds{model=\"m\",version=\"v1\"} 2.0"), both);

        draining.close();
        var reloadedOnly = metrics.scrape();
        assertTrue(reloadedOnly.contains("appliance_queue_depth{model=\"m\",version=\"v1\"} 4.0"),
                "freeing the drained scheduler leaves the reloaded one's series: " + reloadedOnly);

        reloaded.close();
        reloaded.close();
        assertFalse(metrics.scrape().contains("version=\"v1\""), metrics.scrape());
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
