package ai.appliance.provisioning.doctor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Store and broker reachability, and clock skew. An offline appliance has no NTP server to ask, so the only time
 * reference is the store: its HTTP {@code Date} header (RFC 9110, 1 s resolution) is compared with the local clock.
 * More than 30 s is a warning; more than 5 minutes fails (certificates are back-dated by 5 minutes, and S3
 * refuses signatures beyond 15).
 */
final class ReachabilityChecks {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration SKEW_WARN = Duration.ofSeconds(30);
    static final Duration SKEW_FAIL = Duration.ofMinutes(5);

    private ReachabilityChecks() {
    }

    /** The store check plus the clock-skew check it makes possible. */
    static List<CheckResult> store(String store, Clock clock) {
        var results = new ArrayList<CheckResult>();
        var http = httpEndpoint(store);
        if (http.isEmpty()) {
            var folder = Path.of(store.startsWith("file://") ? URI.create(store).getPath() : store);
            results.add(Files.isDirectory(folder) && Files.isReadable(folder)
                    ? CheckResult.pass("store", "folder store " + folder + " readable")
                    : CheckResult.fail("store", "folder store " + folder + " missing or unreadable"));
            results.add(noClockReference("the store is a folder"));
            return results;
        }
        try (var client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            var response = client.send(HttpRequest.newBuilder(http.get()).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            var local = clock.instant();
            // Any HTTP answer proves reachability (S3 answers 403 to an unsigned GET).
            results.add(CheckResult.pass("store", http.get() + " answered HTTP " + response.statusCode()));
            var date = response.headers().firstValue("Date");
            if (date.isEmpty()) {
                results.add(noClockReference("the store sent no Date header"));
            } else {
                results.add(skew(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(date.get())), local,
                        http.get().getHost()));
            }
        } catch (IOException e) {
            results.add(CheckResult.fail("store", http.get() + " unreachable: " + describe(e)));
            results.add(noClockReference("the store is unreachable"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            results.add(CheckResult.fail("store", "interrupted"));
        } catch (java.time.DateTimeException e) {
            results.add(noClockReference("the store's Date header does not parse"));
        }
        return results;
    }

    static CheckResult skew(Instant server, Instant local, String source) {
        var skew = Duration.between(server, local);
        var abs = skew.abs();
        var text = "local clock is " + (skew.isNegative() ? "behind " : "ahead of ") + source + " by " + abs.toSeconds()
                + " s (HTTP Date header)";
        if (abs.compareTo(SKEW_FAIL) > 0) return CheckResult.fail("clock", text + ": fix the time before TLS and S3");
        if (abs.compareTo(SKEW_WARN) > 0) return CheckResult.warn("clock", text);
        return CheckResult.pass("clock", text);
    }

    static CheckResult noClockReference(String why) {
        return CheckResult.warn("clock", "skew not checked: " + why + " and an offline box has no other time reference");
    }

    static CheckResult broker(String broker) {
        var target = broker.contains("://") ? URI.create(broker) : URI.create("tcp://" + broker);
        int port = target.getPort() > 0 ? target.getPort()
                : target.getScheme().equals("ssl") || target.getScheme().equals("mqtts") ? 8883 : 1883;
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.getHost(), port), (int) TIMEOUT.toMillis());
            return CheckResult.pass("broker", target.getHost() + ":" + port + " accepts connections");
        } catch (IOException | IllegalArgumentException e) {
            return CheckResult.fail("broker", target.getHost() + ":" + port + " unreachable: " + describe(e));
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The HTTP URL to ask, for http(s) stores and s3:// stores with an endpoint; empty for folder stores. */
    static Optional<URI> httpEndpoint(String store) {
        if (store.startsWith("http://") || store.startsWith("https://")) return Optional.of(URI.create(store));
        if (store.startsWith("s3://")) {
            var uri = URI.create(store);
            var query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            for (var part : query.split("&")) {
                if (part.startsWith("endpoint=")) {
                    return Optional.of(URI.create(java.net.URLDecoder.decode(part.substring(9),
                            java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
            var region = "us-east-1";
            return Optional.of(URI.create("https://s3." + region + ".amazonaws.com/"));
        }
        return Optional.empty();
    }

}
