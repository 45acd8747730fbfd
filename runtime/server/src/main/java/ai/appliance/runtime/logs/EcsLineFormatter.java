package ai.appliance.runtime.logs;

import co.elastic.logging.jul.EcsFormatter;
import java.util.Map;
import java.util.logging.LogRecord;

/**
 * Elastic's ECS formatter plus the {@link LogFields} a record carries (request id, status, front end): the library
 * takes extra fields only from its MDC hook, which JUL does not have, so the fields of the record being formatted
 * are handed to that hook through a thread-local for the duration of one {@code format} call.
 */
public final class EcsLineFormatter extends EcsFormatter {

    private static final ThreadLocal<Map<String, String>> FIELDS = new ThreadLocal<>();

    public EcsLineFormatter() {
        setServiceName("appliance");
    }

    @Override
    public String format(LogRecord record) {
        FIELDS.set(fieldsOf(record));
        try {
            return super.format(record);
        } finally {
            FIELDS.remove();
        }
    }

    @Override
    protected Map<String, String> getMdcEntries() {
        var fields = FIELDS.get();
        return fields == null ? Map.of() : fields;
    }

    private static Map<String, String> fieldsOf(LogRecord record) {
        var parameters = record.getParameters();
        if (parameters != null) {
            for (var p : parameters) {
                if (p instanceof LogFields f) {
                    return f.fields();
                }
            }
        }
        return Map.of();
    }
}
