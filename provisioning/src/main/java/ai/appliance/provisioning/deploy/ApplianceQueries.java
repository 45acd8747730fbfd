package ai.appliance.provisioning.deploy;

/**
 * The PromQL that the dashboard, the autoscalers and the tests share. The KEDA trigger's query comes from here and
 * nowhere else, so the server test that runs every dashboard query against a real Prometheus also proves that the
 * autoscaler's query returns data.
 */
public final class ApplianceQueries {

    /** Per-pod gauge of requests waiting for a batch slot or KV memory, one series per loaded model version. */
    public static final String QUEUE_METRIC = "appliance_queue_requests";

    public static final String REQUEST_RATE = "sum by (frontend, status) (rate(appliance_requests_total[1m]))";
    /** 5xx share of all requests; 0 rather than no data while nothing fails. */
    public static final String ERROR_RATIO = "(sum(rate(appliance_requests_total{status=~\"5..\"}[5m])) or vector(0))"
            + " / sum(rate(appliance_requests_total[5m]))";
    public static final String TIME_TO_FIRST_TOKEN_P95 = p95("appliance_time_to_first_token_seconds");
    public static final String TIME_PER_OUTPUT_TOKEN_P95 = p95("appliance_time_per_output_token_seconds");
    public static final String QUEUE_WAIT_P95 = p95("appliance_queue_wait_seconds");
    public static final String QUEUE_REQUESTS = "sum by (model, version) (" + QUEUE_METRIC + ")";
    public static final String RUNNING_SEQUENCES = "sum by (model, version) (appliance_running_sequences)";
    public static final String KV_CACHE_USAGE = "appliance_kv_cache_usage_ratio";
    public static final String OUTPUT_TOKENS_PER_SECOND = "sum(rate(appliance_generated_tokens_total[1m]))";
    public static final String PROMPT_TOKENS_PER_SECOND = "sum(rate(appliance_prompt_tokens_total[1m]))";
    public static final String MODEL_TRAFFIC = "appliance_model_traffic_ratio"
            + " * on (job, instance, model, version) group_left(demo) appliance_model_info";
    public static final String SYNC_STATE = "appliance_sync_agent_state == 1";
    public static final String SYNC_BYTES_PER_SECOND = "sum by (model) (rate(appliance_sync_downloaded_bytes_total[5m]))";
    public static final String CERTIFICATE_DAYS_LEFT = "(appliance_certificate_expiry_timestamp_seconds - time()) / 86400";
    public static final String MQTT_CONNECTED = "appliance_mqtt_connected";
    public static final String RESIDENT_MEMORY = "appliance_process_resident_memory_bytes";

    private ApplianceQueries() {
    }

    /** Requests waiting in all pods of one scrape job (a Service's pods): what KEDA divides by the per-pod target. */
    public static String queueBacklog(String job) {
        return "sum(" + QUEUE_METRIC + "{job=\"" + job + "\"})";
    }

    private static String p95(String histogram) {
        return "histogram_quantile(0.95, sum by (le) (rate(" + histogram + "_bucket[5m])))";
    }
}
