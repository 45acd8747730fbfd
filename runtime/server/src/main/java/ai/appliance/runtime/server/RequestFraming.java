package ai.appliance.runtime.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import java.util.HashSet;

/**
 * How a request says where its body ends (RFC 9112 §6), checked before anything reads it. Helidon 4.3 reads a
 * negative Content-Length as a length and fails inside (500 with its internal message, or no answer), and serves
 * a request carrying both Content-Length and Transfer-Encoding on a kept-alive connection: the smuggling case,
 * where a proxy and this server may disagree on where the next request starts. Both get a 400 here, and the
 * second also closes the connection.
 */
final class RequestFraming {

    private RequestFraming() {
    }

    /**
     * @return whether a body follows the headers
     * @throws RequestException 400 with a message for the client, the connection to be closed
     */
    static boolean requireValid(Headers headers) {
        boolean lengthGiven = headers.contains(HeaderNames.CONTENT_LENGTH);
        boolean chunked = headers.contains(HeaderNames.TRANSFER_ENCODING);
        if (lengthGiven && chunked) {
            throw refuse("send either Content-Length or Transfer-Encoding, not both");
        }
        if (!lengthGiven) {
            return chunked;
        }
        var values = new HashSet<String>();
        for (var value : headers.get(HeaderNames.CONTENT_LENGTH).allValues()) {
            for (var part : value.split(",")) {
                values.add(part.strip());
            }
        }
        if (values.size() != 1) {
            throw refuse("Content-Length is given more than once with different values");
        }
        var length = values.iterator().next();
        if (!length.matches("\\d{1,18}")) {
            throw refuse("Content-Length must be the body's size in bytes: a whole number, 0 or more");
        }
        return Long.parseLong(length) > 0;
    }

    private static RequestException refuse(String message) {
        return RequestException.builder()
                .type(DirectHandler.EventType.BAD_REQUEST)
                .status(Status.BAD_REQUEST_400)
                .message(message)
                .safeMessage(true)
                .setKeepAlive(false)
                .build();
    }
}
