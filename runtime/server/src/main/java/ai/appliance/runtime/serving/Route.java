package ai.appliance.runtime.serving;

import java.util.Locale;

/**
 * Where a request was answered, as the audit log, the access log and metrics report it: by a local model, by an
 * upstream it was forwarded to, or by a local model standing in for an upstream.
 */
public sealed interface Route {

    /** A local model answered a request meant for it. */
    record Local(String model) implements Route { }

    /** The request was forwarded to the upstream behind the model entry {@code upstream}. */
    record Forwarded(String upstream) implements Route { }

    /** The local model {@code model} answered a request meant for {@code upstream}, for {@code reason}. */
    record Fallback(String model, String upstream, FallbackReason reason) implements Route { }

    /** Why a local model answered for an upstream. */
    enum FallbackReason {
        /** The request, its API key or its role must not leave the appliance. */
        LOCAL_ONLY,
        /** The upstream's circuit breaker is open (or its half-open probe is under way): nothing was sent. */
        CIRCUIT_OPEN,
        /** The upstream failed or timed out before it sent any output. */
        UPSTREAM_FAILED,
        /** The upstream answered 429 (busy) before any output. */
        UPSTREAM_BUSY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code local}, {@code upstream} or {@code fallback}. */
    default String kind() {
        return switch (this) {
            case Local l -> "local";
            case Forwarded f -> "upstream";
            case Fallback f -> "fallback";
        };
    }

    /** The local model's name, or the upstream's. */
    default String target() {
        return switch (this) {
            case Local(var model) -> model;
            case Forwarded(var upstream) -> upstream;
            case Fallback(var model, var upstream, var reason) -> model;
        };
    }
}
