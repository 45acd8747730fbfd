package ai.appliance.runtime.serving;

import ai.appliance.runtime.logs.LogFields;
import java.util.LinkedHashMap;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per finished call on the logger {@code ai.appliance.access}, for every front end: the message reads well
 * as text, and the JSON format adds the ECS fields, {@code http.request.id} first, which is also the audit record's
 * {@code requestId}.
 */
final class AccessLog {

    static final String LOGGER = "ai.appliance.access";
    private static final Logger LOG = Logger.getLogger(LOGGER);

    private AccessLog() {
    }

    /** @param route where the request was answered, or null when it was not routed */
    static void write(CallContext call, String principal, String model, Route route, int status, String finishReason) {
        if (!LOG.isLoggable(Level.INFO)) {
            return;
        }
        long millis = call.elapsedMillis();
        var fields = new LinkedHashMap<String, String>();
        fields.put("http.request.id", call.requestId());
        fields.put("labels.front_end", call.frontEnd());
        fields.put("url.path", call.endpoint());
        fields.put("client.address", call.client());
        fields.put("http.response.status_code", Integer.toString(status));
        fields.put("event.duration", Long.toString(millis * 1_000_000L));
        if (principal != null) {
            fields.put("user.name", principal);
        }
        if (model != null) {
            fields.put("labels.model", model);
        }
        if (finishReason != null) {
            fields.put("labels.finish_reason", finishReason);
        }
        if (route != null) {
            fields.put("labels.route", route.kind());
            fields.put("labels.route_target", route.target());
        }
        var record = new LogRecord(Level.INFO, call.frontEnd() + " " + call.endpoint() + " " + status + " " + millis
                + " ms request " + call.requestId());
        record.setLoggerName(LOGGER);
        record.setParameters(new Object[] {new LogFields(fields)});
        LOG.log(record);
    }
}
