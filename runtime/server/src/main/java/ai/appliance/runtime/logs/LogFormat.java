package ai.appliance.runtime.logs;

import java.util.Locale;

/** {@code logging.format}: text (the JDK's two-line default) or json (one ECS object per line). */
public enum LogFormat {
    TEXT, JSON;

    public static LogFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("logging.format must be text or json, was '" + value + "'");
        }
    }
}
