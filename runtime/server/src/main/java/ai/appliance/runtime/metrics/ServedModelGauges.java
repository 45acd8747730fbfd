package ai.appliance.runtime.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * Which model versions are served and what share of their model's traffic each gets: {@code appliance_model_info}
 * (1 per loaded version, labelled demo or not) and {@code appliance_model_traffic_ratio} (the A/B split weight,
 * 0 for a version that is loaded but gets no new requests). Rows are replaced on every catalog change, so a freed
 * version's series disappear.
 */
public final class ServedModelGauges {

    /** One loaded version as the catalog lists it. */
    public record Row(String model, String version, boolean demo, double weight) { }

    private final MultiGauge info;
    private final MultiGauge traffic;

    ServedModelGauges(MeterRegistry registry) {
        info = MultiGauge.builder("appliance.model.info")
                .description("1 for each model version loaded; labels say which").register(registry);
        traffic = MultiGauge.builder("appliance.model.traffic.ratio")
                .description("Share of the model's new requests routed to this version (A/B split)").register(registry);
    }

    void update(List<Row> rows) {
        info.register(rows.stream().map(r -> MultiGauge.Row.of(
                Tags.of("model", r.model(), "version", r.version(), "demo", Boolean.toString(r.demo())), 1)).toList(), true);
        traffic.register(rows.stream().map(r -> MultiGauge.Row.of(
                Tags.of("model", r.model(), "version", r.version()), r.weight())).toList(), true);
    }
}
