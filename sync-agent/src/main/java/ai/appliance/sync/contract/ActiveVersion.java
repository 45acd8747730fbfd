package ai.appliance.sync.contract;

import java.nio.file.Path;

/** The active version of a model: its name and its resolved, immutable folder (never the {@code active} link). */
public record ActiveVersion(String model, String version, Path folder) {}
