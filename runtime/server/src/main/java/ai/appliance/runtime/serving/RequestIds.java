package ai.appliance.runtime.serving;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one id that ties a request's access log line, audit record and response together. A caller's own id
 * ({@code X-Request-Id}, gRPC metadata {@code x-request-id}, the MQTT correlation) is kept when it is a plain token,
 * so a trace crosses the appliance under one name; anything else (empty, too long, spaces or control characters that
 * could forge log lines) is replaced by a generated one.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");

    private RequestIds() {
    }

    public static String acceptOrGenerate(String incoming) {
        return incoming != null && TOKEN.matcher(incoming).matches() ? incoming : generate();
    }

    public static String generate() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
