package ai.appliance.runtime.server;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads a REST request's body whole, within {@code server.max-payload-bytes}, and ends its read deadline
 * ({@link RequestReadGuard}) once it is read. Failures become the client's error: 413 for a body over the limit,
 * chunked or not; 400 for one that ended early.
 */
final class RequestBodies {

    private final long maxPayloadBytes;
    private final RequestReadGuard readGuard;

    RequestBodies(long maxPayloadBytes, RequestReadGuard readGuard) {
        this.maxPayloadBytes = maxPayloadBytes;
        this.readGuard = readGuard;
    }

    byte[] read(ServerRequest req) {
        if (!req.content().hasEntity()) {
            readGuard.bodyRead(req);
            throw ApiException.invalid(null, "the request has no body; send a JSON object");
        }
        try {
            return req.content().as(byte[].class);
        } catch (RequestException | HttpException e) {
            // Helidon counts a chunked body against max-payload-size as it arrives and fails the read with 413.
            int status = e instanceof RequestException r ? r.status().code() : ((HttpException) e).status().code();
            if (status == 413) {
                throw new ApiException(ErrorKind.PAYLOAD_TOO_LARGE, "the request body is larger than "
                        + maxPayloadBytes + " bytes (server.max-payload-bytes)");
            }
            throw ApiException.invalid(null, "the request body could not be read: it ended early or its chunked"
                    + " encoding is broken");
        } finally {
            readGuard.bodyRead(req);
        }
    }
}
