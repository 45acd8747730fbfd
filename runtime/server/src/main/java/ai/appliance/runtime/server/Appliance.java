package ai.appliance.runtime.server;

import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.logs.LogOutput;
import ai.appliance.runtime.metrics.ServedModelGauges;
import ai.appliance.runtime.metrics.ServingMetrics;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.models.DemoModel;
import ai.appliance.runtime.models.EngineModel;
import ai.appliance.runtime.models.StoreWatcher;
import ai.appliance.runtime.mqtt.BrokerConnection;
import ai.appliance.runtime.mqtt.broker.BrokerSettings;
import ai.appliance.runtime.mqtt.broker.EmbeddedBroker;
import ai.appliance.runtime.mqtt.MqttGateway;
import ai.appliance.runtime.openai.OpenAiRequests;
import ai.appliance.runtime.openai.OpenAiResponses;
import ai.appliance.runtime.scheduler.KvBudget;
import ai.appliance.runtime.scheduler.PrefixCache;
import ai.appliance.runtime.serving.ModelCatalog;
import ai.appliance.runtime.serving.ModelLoader;
import ai.appliance.runtime.serving.Readiness;
import ai.appliance.runtime.tokenizer.TokenizerException;
import ai.appliance.runtime.upstream.UpstreamModel;
import ai.appliance.runtime.watermark.Watermark;
import ai.appliance.runtime.watermark.WatermarkKey;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Everything {@code serve} runs, started in order and stopped in reverse: upstreams (connections and circuit
 * breakers; nothing is sent at start), models (configured, from the store, or the demo model), the scheduler per
 * model version, REST/WebSocket/gRPC, the embedded broker if no external one is configured, the MQTT gateway, and
 * the store watcher that hot-swaps versions.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Appliance.class.getName());

    private final ApplianceServer server;
    private final StoreWatcher watcher;
    private final MqttGateway gateway;
    private final EmbeddedBroker broker;
    private final ServingMetrics metrics;

    private Appliance(ApplianceServer server, StoreWatcher watcher, MqttGateway gateway, EmbeddedBroker broker,
                      ServingMetrics metrics) {
        this.server = server;
        this.watcher = watcher;
        this.gateway = gateway;
        this.broker = broker;
        this.metrics = metrics;
    }

    public static Appliance start(ApplianceConfig config) {
        LogOutput.use(config.logFormat());
        // Settings and ports first: a refusal should not cost the minute a large model takes to load.
        var access = ApplianceServer.accessControl(config);
        ApplianceServer.requireListenPorts(config);
        var watermark = watermark(config.watermark());
        var audit = ApplianceServer.auditLog(config);
        var brokerSettings = config.mqtt().enabled() && config.mqtt().brokerUrl() == null
                ? BrokerSettings.of(config.mqtt(), access) : null;
        if (brokerSettings != null) {
            EmbeddedBroker.requirePorts(brokerSettings);
        }
        var metrics = new ServingMetrics();
        var kvBudget = KvBudget.of(config.kvCacheBytes());
        metrics.kvCacheBudget(kvBudget.limit(), kvBudget::reserved);
        var prefixCache = new PrefixCache(config.prefixCache().bytes(), config.prefixCache().blockTokens());
        metrics.prefixCache(prefixCache);
        var catalog = new ModelCatalog(config.scheduler(), kvBudget, prefixCache, metrics, config.shutdownGrace());
        catalog.onChange(c -> metrics.servedModels(c.list().stream()
                .map(m -> new ServedModelGauges.Row(m.name(), m.version(), m.demo(), m.weight())).toList()));
        metrics.syncAgent(config.storeRoot());
        CertificateExpiry.register(metrics, config);
        // Key and TLS files of upstreams are read now: a missing one stops serve before any model loads.
        var upstreams = new ArrayList<UpstreamModel>();
        try {
            for (var settings : config.upstreams()) {
                upstreams.add(UpstreamModel.open(settings, metrics, System::getenv));
            }
        } catch (RuntimeException e) {
            upstreams.forEach(UpstreamModel::close);
            if (audit != null) {
                audit.close();
            }
            throw e;
        }
        var engine = new EngineSettings(config.engineBackend(), config.engineThreads(), watermark);
        ModelLoader loader = (path, name, version) -> open(path, name, version, false, engine);
        StoreWatcher watcher = null;
        EmbeddedBroker broker = null;
        MqttGateway gateway = null;
        ApplianceServer server = null;
        try {
            for (var m : config.models()) {
                load(catalog, m.path(), m.name(), m.version(), false, engine);
            }
            watcher = new StoreWatcher(config.storeRoot(), catalog, loader);
            watcher.scan();
            // The demo is for a box with nothing configured. A store model that failed to load leaves the
            // appliance not ready, saying why, instead of answering with noise as if all were well.
            if (config.models().isEmpty() && watcher.modelsWithActiveVersion().isEmpty()) {
                var demo = DemoModel.ensure(config.storeRoot());
                load(catalog, demo, DemoModel.NAME, "demo", true, engine);
                LOG.warning("serving " + DemoModel.NAME + ": " + DemoModel.NEXT_STEP);
            } else if (watcher.problem() != null) {
                LOG.severe("not ready: " + watcher.problem() + " (/health/ready says so until a version loads)");
            }
            watcher.start(Duration.ofSeconds(2));

            // Every condition is in place before the server answers /health/ready: the REST server starts
            // before the broker and the gateway, and must not report ready while MQTT is still starting.
            var startedGateway = new AtomicReference<MqttGateway>();
            var readiness = readiness(catalog, watcher::problem, config.mqtt().enabled(), startedGateway::get);
            if (!upstreams.isEmpty()) {
                readiness.addDetail("upstreams", () -> upstreamStates(upstreams));
            }
            server = ApplianceServer.start(config, access, audit, catalog, loader, metrics, readiness, upstreams);
            upstreams.forEach(server::closeWith);
            if (config.mqtt().enabled()) {
                var mqtt = config.mqtt();
                var connection = BrokerConnection.external(mqtt);
                if (brokerSettings != null) {
                    broker = EmbeddedBroker.start(brokerSettings);
                    connection = broker.gatewayConnection();
                    server.closeWith(broker);
                }
                var json = new ObjectMapper();
                gateway = MqttGateway.start(mqtt, connection, server.frontDoor(),
                        new OpenAiRequests(json, config.defaultMaxTokens(), config.maxMaxTokens()),
                        new OpenAiResponses(json), json, catalog);
                server.closeWith(gateway);
                startedGateway.set(gateway);
            }
            return new Appliance(server, watcher, gateway, broker, metrics);
        } catch (RuntimeException e) {
            if (watcher != null) {
                watcher.close();
            }
            if (server != null) {
                server.close();
            } else {
                catalog.close();
                upstreams.forEach(UpstreamModel::close);
                if (gateway != null) {
                    gateway.close();
                }
                if (broker != null) {
                    broker.close();
                }
                if (audit != null) {
                    audit.close();
                }
            }
            throw e;
        }
    }

    /**
     * Ready = a model is loaded, no store model is left unserved by a failed load and, when MQTT is on, the
     * gateway has started and is connected to its broker.
     *
     * @param storeProblem why a store model is not served (null: none is left out)
     */
    static Readiness readiness(ModelCatalog catalog, Supplier<String> storeProblem, boolean mqtt,
                               Supplier<MqttGateway> gateway) {
        var readiness = new Readiness().addExplained("model-loaded", () -> {
            var problem = storeProblem.get();
            if (problem != null) {
                return problem;
            }
            return catalog.isEmpty() ? "no model is loaded" : null;
        });
        if (mqtt) {
            readiness.add("mqtt-connected", () -> {
                var g = gateway.get();
                return g != null && g.connected();
            });
        }
        return readiness;
    }

    /** Each upstream's circuit state by model entry name, for /health/ready. */
    private static Map<String, String> upstreamStates(List<UpstreamModel> upstreams) {
        var states = new LinkedHashMap<String, String>();
        upstreams.forEach(u -> states.put(u.name(), u.state()));
        return states;
    }

    /**
     * How every model of this appliance is opened.
     *
     * @param watermark null: answers are not marked
     */
    record EngineSettings(String backend, int threads, Watermark watermark) { }

    /** The configured watermark with its key (made now if missing, before any model loads), or null when off. */
    static Watermark watermark(ApplianceConfig.Watermarking config) {
        if (!config.enabled()) {
            return null;
        }
        var watermark = new Watermark(WatermarkKey.loadOrCreate(config.keyFile()), config.settings());
        var s = config.settings();
        LOG.info(() -> "watermark on: key " + watermark.key().id() + " from " + config.keyFile() + ", gamma " + s.gamma()
                + ", delta " + s.delta() + ", context " + s.context());
        return watermark;
    }

    private static void load(ModelCatalog catalog, Path path, String name, String version, boolean demo,
                             EngineSettings engine) {
        long start = System.nanoTime();
        var model = open(path, name, version, demo, engine);
        var took = Duration.ofNanos(System.nanoTime() - start);
        catalog.add(model, took, true);
        LOG.info(() -> "loaded " + name + " " + version + " from " + path + " in " + took.toMillis() + " ms");
    }

    static EngineModel open(Path path, String name, String version, boolean demo, EngineSettings engine) {
        try {
            return EngineModel.open(path, name, version, demo, engine.backend(), engine.threads(), engine.watermark());
        } catch (ModelFormatException | TokenizerException | IllegalArgumentException e) {
            throw new ModelLoader.ModelLoadException("cannot load model " + name + " from " + path + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new ModelLoader.ModelLoadException("cannot read model " + path + ": " + e.getMessage(), e);
        }
    }

    public ApplianceServer server() {
        return server;
    }

    public MqttGateway gateway() {
        return gateway;
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    /** Graceful: MQTT stops taking requests, in-flight ones finish (grace), servers stop, MQTT leaves cleanly. */
    @Override
    public void close() {
        watcher.close();
        if (gateway != null) {
            gateway.quiesce();
        }
        server.close();
    }
}
