package ai.appliance.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.security.Role;
import ai.appliance.runtime.watermark.WatermarkSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplianceConfigTest {

    @Test
    void theEmbeddedDefaultListensOnTheUsualPorts() {
        var config = ApplianceConfig.load(Optional.empty(), Map.of());
        assertEquals(8080, config.http().port());
        assertEquals(9090, config.grpc().port());
        assertEquals(1883, config.mqtt().embeddedPort());
    }

    @Test
    void aPortOutsideTheTcpRangeIsRefusedNamingItsKey() {
        for (var entry : Map.of("server.port", "99999", "grpc.port", "-1", "mqtt.embedded.port", "70000").entrySet()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ApplianceConfig.load(Optional.empty(), Map.of(entry.getKey(), entry.getValue())));
            assertEquals(entry.getKey() + " must be between 0 and 65535 (0 picks a free port), was " + entry.getValue(),
                    e.getMessage());
        }
    }

    @Test
    void theKvCacheBudgetIsAutomaticUnlessSetAndNeverNegative() {
        assertEquals(0, ApplianceConfig.load(Optional.empty(), Map.of()).kvCacheBytes());
        assertEquals(4_000_000_000L,
                ApplianceConfig.load(Optional.empty(), Map.of("scheduler.kv-cache-bytes", "4000000000")).kvCacheBytes());
        var e = assertThrows(IllegalArgumentException.class,
                () -> ApplianceConfig.load(Optional.empty(), Map.of("scheduler.kv-cache-bytes", "-5")));
        assertTrue(e.getMessage().startsWith("scheduler.kv-cache-bytes must be 0"), e.getMessage());
    }

    @Test
    void thePrefixCacheIsOnWithAModestBudgetUnlessSwitchedOff() {
        var defaults = ApplianceConfig.load(Optional.empty(), Map.of()).prefixCache();
        assertEquals(Math.min(256L << 20, (long) (Runtime.getRuntime().maxMemory() * 0.15)), defaults.bytes());
        assertTrue(defaults.bytes() > 0, "on by default");
        assertEquals(32, defaults.blockTokens());
        assertEquals(0, ApplianceConfig.load(Optional.empty(), Map.of("scheduler.prefix-cache.enabled", "false"))
                .prefixCache().bytes());
        var set = ApplianceConfig.load(Optional.empty(), Map.of("scheduler.prefix-cache.bytes", "1000000",
                "scheduler.prefix-cache.block-tokens", "16")).prefixCache();
        assertEquals(1_000_000, set.bytes());
        assertEquals(16, set.blockTokens());
        var e = assertThrows(IllegalArgumentException.class, () -> ApplianceConfig.load(Optional.empty(),
                Map.of("scheduler.prefix-cache.block-tokens", "0")));
        assertTrue(e.getMessage().startsWith("scheduler.prefix-cache.block-tokens must be"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ApplianceConfig.load(Optional.empty(),
                Map.of("scheduler.prefix-cache.bytes", "-1")));
    }

    @Test
    void aValueOfTheWrongKindIsRefusedNamingItsKey() {
        var cases = Map.of("server.port", "server.port: 'abc' is not a whole number",
                "grpc.enabled", "grpc.enabled: 'abc' is not true or false",
                "security.user-rate-per-second", "security.user-rate-per-second: 'abc' is not a number");
        for (var entry : cases.entrySet()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ApplianceConfig.load(Optional.empty(), Map.of(entry.getKey(), "abc")));
            assertEquals(entry.getValue(), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotYamlIsRefusedWithTheParsersPosition(@TempDir Path dir) throws Exception {
        var file = Files.writeString(dir.resolve("a.yaml"), "server: [1,2\n");
        var e = assertThrows(IllegalArgumentException.class, () -> ApplianceConfig.load(Optional.of(file), Map.of()));
        assertTrue(e.getMessage().startsWith("config file " + file + " cannot be read: "), e.getMessage());
        assertTrue(e.getMessage().contains("line 1, column 9"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("while parsing a flow sequence (line 1, column 9): expected ',' or ']',"
                + " but got <stream end> (line 2, column 1)"), e.getMessage());
    }

    @Test
    void connectionLimitsHaveSafeDefaultsAndRefuseNonsense() {
        var limits = ApplianceConfig.load(Optional.empty(), Map.of()).http().limits();
        assertEquals(256, limits.maxConnections());
        assertEquals(java.time.Duration.ofSeconds(10), limits.headerTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), limits.bodyTimeout());
        assertEquals(java.time.Duration.ofSeconds(60), limits.idleTimeout());
        var e = assertThrows(IllegalArgumentException.class,
                () -> ApplianceConfig.load(Optional.empty(), Map.of("server.header-timeout", "0")));
        assertEquals("server.header-timeout must be positive, was PT0S", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ApplianceConfig.load(Optional.empty(), Map.of("server.max-connections", "0")));
        assertEquals("server.max-connections must be at least 1, was 0", e.getMessage());
    }

    @Test
    void modelFoldersAndAuditSecretsAreRead(@TempDir Path dir) throws Exception {
        var file = Files.writeString(dir.resolve("a.yaml"), """
                model-folders: [/opt/models, /srv/gguf]
                audit: {file-group: adm, key-file: /var/lib/appliance/audit.key}
                """);
        var config = ApplianceConfig.load(Optional.of(file), Map.of());
        assertEquals(List.of(Path.of("/opt/models"), Path.of("/srv/gguf")), config.modelFolders());
        assertEquals("adm", config.audit().fileGroup());
        assertEquals(Path.of("/var/lib/appliance/audit.key"), config.audit().keyFile());
        assertEquals(List.of(), ApplianceConfig.unknownKeys(Config.just(ConfigSources.file(file))));
        var defaults = ApplianceConfig.load(Optional.empty(), Map.of("store.root", "/data/store"));
        assertEquals(Path.of("/data/store/audit.key"), defaults.audit().keyFile(), "beside the store's state");
        assertEquals(null, defaults.audit().fileGroup());
    }

    @Test
    void theEmbeddedBrokersSecurityAndReplyTopicsAreRead(@TempDir Path dir) throws Exception {
        var file = Files.writeString(dir.resolve("a.yaml"), """
                mqtt:
                  embedded: {host: 0.0.0.0, tls: {settings: /etc/appliance/tls/tls.yaml}, tls-port: 8884}
                  reply-topics:
                    - {pattern: "devices/{device}/#"}
                    - {pattern: "ops/#", role: admin}
                    - {pattern: "plant/line-7/+", device: line-7}
                  device-error-topic: "devices/{device}/problems"
                """);
        assertEquals(List.of(), ApplianceConfig.unknownKeys(Config.just(ConfigSources.file(file))));
        var mqtt = ApplianceConfig.load(Optional.of(file), Map.of()).mqtt();
        assertEquals(Path.of("/etc/appliance/tls/tls.yaml"), mqtt.embeddedTls().settings());
        assertEquals(8884, mqtt.embeddedTlsPort());
        assertEquals(null, mqtt.embeddedAllowAnonymous(), "unset: the listener's address decides");
        assertEquals(List.of(ApplianceConfig.ReplyTopicRule.DEFAULT,
                new ApplianceConfig.ReplyTopicRule("ops/#", Role.ADMIN, null),
                new ApplianceConfig.ReplyTopicRule("plant/line-7/+", null, "line-7")), mqtt.replyTopics());
        assertEquals("devices/{device}/problems", mqtt.deviceErrorTopic());

        var defaults = ApplianceConfig.load(Optional.empty(), Map.of()).mqtt();
        assertEquals(List.of(ApplianceConfig.ReplyTopicRule.DEFAULT), defaults.replyTopics());
        assertEquals(null, defaults.embeddedTls());
        assertEquals(false, ApplianceConfig.load(Optional.empty(), Map.of("mqtt.embedded.allow-anonymous", "false"))
                .mqtt().embeddedAllowAnonymous());
    }

    @Test
    void aReplyTopicPatternThatIsNotATopicFilterIsRefusedNamingIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> ApplianceConfig.load(Optional.empty(),
                Map.of("mqtt.reply-topics.0.pattern", "devices/x{device}/#")));
        assertEquals("mqtt.reply-topics pattern 'devices/x{device}/#': level 'x{device}' is not valid; use plain"
                + " levels, {device} as a whole level, + and a final #", e.getMessage());
        var error = assertThrows(IllegalArgumentException.class, () -> ApplianceConfig.load(Optional.empty(),
                Map.of("mqtt.device-error-topic", "devices/+/errors")));
        assertEquals("mqtt.device-error-topic 'devices/+/errors' must be a topic, without + or #", error.getMessage());
    }

    @Test
    void theWatermarkIsOffByDefaultWithAKeyBesideTheStoreAndReadsItsParameters(@TempDir Path dir) throws Exception {
        var defaults = ApplianceConfig.load(Optional.empty(), Map.of("store.root", "/data/store")).watermark();
        assertEquals(false, defaults.enabled());
        assertEquals(Path.of("/data/store/watermark.key"), defaults.keyFile());
        assertEquals(WatermarkSettings.DEFAULTS, defaults.settings());
        var file = Files.writeString(dir.resolve("a.yaml"), """
                watermark: {enabled: true, key-file: /etc/appliance/fleet-watermark.key, gamma: 0.5, delta: 1.5, context: 2}
                """);
        assertEquals(List.of(), ApplianceConfig.unknownKeys(Config.just(ConfigSources.file(file))));
        var set = ApplianceConfig.load(Optional.of(file), Map.of()).watermark();
        assertEquals(true, set.enabled());
        assertEquals(Path.of("/etc/appliance/fleet-watermark.key"), set.keyFile());
        assertEquals(new WatermarkSettings(0.5, 1.5, 2), set.settings());
        var e = assertThrows(IllegalArgumentException.class,
                () -> ApplianceConfig.load(Optional.empty(), Map.of("watermark.gamma", "1")));
        assertTrue(e.getMessage().startsWith("watermark gamma (the green share of the vocabulary) must be above 0 and"
                + " below 1"), e.getMessage());
    }

    @Test
    void keysThatNoSettingReadsAreListedSoTyposDoNotPassInSilence(@TempDir Path dir) throws Exception {
        var file = Files.writeString(dir.resolve("a.yaml"), """
                sever:
                  port: 9001
                server:
                  port: 9002
                  tls: {certificate: c.pem, private-key: k.pem}
                scheduler: {max-bach: 8, max-batch: 4}
                models:
                  - {path: a.gguf, name: a}
                  - {path: b.gguf, verison: q8}
                security:
                  api-keys: [{name: ops, role: admin, hash: "sha256:00"}]
                mqtt: {embedded: {port: 1884}}
                """);
        assertEquals(List.of("models.1.verison", "scheduler.max-bach", "sever.port"),
                ApplianceConfig.unknownKeys(Config.just(ConfigSources.file(file))));
        var config = ApplianceConfig.load(Optional.of(file), Map.of());
        assertEquals(9002, config.http().port());
        assertEquals(4, config.scheduler().maxBatch());
    }

    @Test
    void upstreamModelEntriesAndRoutingRulesAreRead(@TempDir Path dir) throws Exception {
        var file = Files.writeString(dir.resolve("a.yaml"), """
                models:
                  - {name: small, path: small.gguf}
                  - name: big
                    fallback: small
                    upstream:
                      url: https://dc.example:8443/v1/
                      model: deepseek-r1
                      api-key-file: /etc/appliance/upstream.key
                      tls: {trust: dc-ca.pem, certificate: edge.pem, private-key: edge.key}
                      first-token-timeout: PT2M
                      breaker: {failures: 5, open-for: PT10S}
                routing:
                  local-only: {api-keys: [clinic], roles: [auditor]}
                  rules:
                    - {roles: [developer], model: big}
                    - {models: [small], min-prompt-tokens: 2000, model: big}
                """);
        assertEquals(List.of(), ApplianceConfig.unknownKeys(Config.just(ConfigSources.file(file))));
        var config = ApplianceConfig.load(Optional.of(file), Map.of());
        assertEquals(List.of("small"), config.models().stream().map(ApplianceConfig.ModelSource::name).toList());
        var big = config.upstreams().getFirst();
        assertEquals("big", big.name());
        assertEquals("https://dc.example:8443/v1", big.url().toString(), "trailing slash dropped");
        assertEquals("deepseek-r1", big.model());
        assertEquals("small", big.fallback());
        assertEquals(Path.of("/etc/appliance/upstream.key"), big.apiKeyFile());
        assertEquals(Path.of("dc-ca.pem"), big.tls().trust());
        assertEquals(Duration.ofMinutes(2), big.firstTokenTimeout());
        assertEquals(Duration.ofSeconds(5), big.connectTimeout(), "default");
        assertEquals(Duration.ofSeconds(30), big.idleTimeout(), "default");
        assertEquals(5, big.breakerFailures());
        assertEquals(Duration.ofSeconds(10), big.breakerOpenFor());
        var routing = config.routing();
        assertEquals(Set.of("clinic"), routing.localOnly().apiKeys());
        assertEquals(Set.of(Role.AUDITOR), routing.localOnly().roles());
        assertEquals(2, routing.rules().size());
        assertEquals(Set.of(Role.DEVELOPER), routing.rules().get(0).callers().roles());
        assertEquals(Set.of("small"), routing.rules().get(1).models());
        assertEquals(2000, routing.rules().get(1).minPromptTokens());
        assertEquals("big", routing.rules().get(1).model());
    }

    @Test
    void inconsistentUpstreamAndRoutingSettingsAreRefusedNamingTheEntry() {
        var cases = Map.of(
                Map.of("models.0.name", "big", "models.0.upstream.url", "ftp://dc/v1"), "url must be an http",
                Map.of("models.0.name", "big", "models.0.upstream.url", "http://dc/v1", "models.0.fallback", "big"),
                "fallback must name a local model",
                Map.of("models.0.name", "a", "models.0.path", "a.gguf", "models.0.fallback", "b"),
                "only a model entry with an upstream has a fallback",
                Map.of("models.0.name", "a", "models.0.path", "a.gguf", "models.1.name", "a",
                        "models.1.upstream.url", "http://dc/v1"), "both a local model and an upstream",
                Map.of("models.0.name", "big", "models.0.upstream.url", "http://dc/v1",
                        "models.0.upstream.breaker.failures", "0"), "breaker.failures must be at least 1",
                Map.of("routing.rules.0.min-prompt-tokens", "10"), "routing.rules[0]: every routing rule needs model",
                Map.of("routing.rules.0.roles.0", "boss", "routing.rules.0.model", "big"), "unknown role 'boss'",
                Map.of("models.0.name", "big", "models.0.upstream.url", "http://dc/v1",
                        "models.0.upstream.api-key-env", "K", "models.0.upstream.api-key-file", "k"), "not both",
                Map.of("models.0.name", "big", "models.0.upstream.url", "http://dc/v1", "models.0.path", "b.gguf"),
                "set path (a local model) or upstream");
        for (var entry : cases.entrySet()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ApplianceConfig.load(Optional.empty(), entry.getKey()), entry.getKey().toString());
            assertTrue(e.getMessage().contains(entry.getValue()), e.getMessage());
        }
    }
}
