package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;

/** The object keys of docs/formats.md §2. */
public final class StoreKeys {
    public static final String ROOT = "root.json";

    private StoreKeys() {}

    /** Every root ever signed, kept so a device that missed a rotation can walk the chain. */
    public static String rootHistory(long serial) {
        return "roots/" + serial + ".json";
    }

    public static String chunk(String id) {
        return "chunks/" + id.substring(0, 2) + "/" + id;
    }

    public static String manifest(String model, String version) {
        return "manifests/" + model + "/" + version + ".json";
    }

    public static String manifestPrefix(String model) {
        return "manifests/" + model + "/";
    }

    public static String channel(String model, String channel) {
        return "channels/" + model + "/" + channel + ".json";
    }

    /** Refuses keys that could leave a folder store's root. */
    static String checked(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.contains("//")) {
            throw new SyncException.UsageError("invalid store key '" + key + "'");
        }
        for (var seg : key.split("/")) {
            if (seg.equals("..") || seg.equals(".")) throw new SyncException.UsageError("invalid store key '" + key + "'");
        }
        return key;
    }
}
