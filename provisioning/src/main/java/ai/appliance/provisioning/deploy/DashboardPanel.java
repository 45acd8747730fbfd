package ai.appliance.provisioning.deploy;

import java.util.List;

/**
 * One Grafana time-series panel: a title, a Grafana unit id and its queries.
 *
 * @param unit Grafana's unit name (reqps, s, percentunit, bytes, short, Bps, d)
 */
public record DashboardPanel(String title, String unit, List<Query> queries) {

    /** A PromQL expression and how its series are named in the legend. */
    public record Query(String expr, String legend) { }

    public DashboardPanel {
        queries = List.copyOf(queries);
    }

    static DashboardPanel of(String title, String unit, String expr, String legend) {
        return new DashboardPanel(title, unit, List.of(new Query(expr, legend)));
    }
}
