package ai.appliance.sync.util;

import ai.appliance.sync.SyncException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** ISO-8601 UTC instants as they appear in metadata ("2026-11-23T10:00:00Z"). */
public final class Times {
    private Times() {}

    public static String format(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static Instant parse(String s, String what) {
        if (s == null) throw new SyncException.MalformedMetadata(what + " is missing");
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new SyncException.MalformedMetadata(what + " '" + s + "' is not an ISO-8601 UTC time", e);
        }
    }
}
