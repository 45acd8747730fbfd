package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;

import java.nio.file.Path;

/** Paths of the local store (docs/formats.md §7) beyond what the runtime needs ({@link ModelSlot}). */
record LocalLayout(Path root) {
    LocalLayout {
        root = root.toAbsolutePath().normalize();
    }

    Path cache() { return root.resolve("cache"); }
    Path meta() { return root.resolve("meta"); }
    Path trustedRootCopy() { return meta().resolve("root.json"); }
    Path trustState() { return meta().resolve("trusted.json"); }
    Path lockFile() { return root.resolve(".agent.lock"); }

    ModelSlot slot(String model) { return ModelSlot.of(root, model); }

    Path manifests(String model) { return slot(model).folder().resolve("manifests"); }
    Path manifest(String model, String version) { return manifests(model).resolve(version + ".json"); }
    Path staging(String model) { return slot(model).folder().resolve("staging"); }
    Path version(String model, String version) { return slot(model).versionsFolder().resolve(version); }
    Path agentState(String model) { return slot(model).folder().resolve("agent-state.json"); }
}
