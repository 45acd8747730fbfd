package ai.appliance.provisioning.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Exit 0 when the URL answers 2xx (container health checks in images without curl).")
final class ProbeCommand extends ProvisionStep {

    @Parameters(index = "0", description = "e.g. http://127.0.0.1:8081/health/live") URI url;
    @Option(names = "--timeout-seconds", defaultValue = "5") int timeoutSeconds;

    @Override
    protected int execute() throws Exception {
        try (var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build()) {
            var response = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(timeoutSeconds)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) return 0;
            err().println("appliance provision probe: " + url + " answered " + response.statusCode());
            return 1;
        } catch (java.io.IOException e) {
            err().println("appliance provision probe: " + url + " unreachable: " + e.getMessage());
            return 1;
        }
    }
}
