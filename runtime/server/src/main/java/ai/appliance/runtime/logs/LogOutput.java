package ai.appliance.runtime.logs;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Puts the configured format on the root logger's handlers (the JDK's console handler on stderr, unless a
 * logging.properties says otherwise), so every logger of the process, libraries included, writes that format.
 */
public final class LogOutput {

    private LogOutput() {
    }

    public static void use(LogFormat format) {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            Formatter current = handler.getFormatter();
            if (format == LogFormat.JSON && !(current instanceof EcsLineFormatter)) {
                handler.setFormatter(new EcsLineFormatter());
            } else if (format == LogFormat.TEXT && current instanceof EcsLineFormatter) {
                handler.setFormatter(new SimpleFormatter());
            }
        }
    }
}
