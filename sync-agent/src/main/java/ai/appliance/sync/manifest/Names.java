package ai.appliance.sync.manifest;

import ai.appliance.sync.SyncException;

import java.util.regex.Pattern;

/** The naming rules of docs/formats.md §1; everything from the network is checked against them. */
public final class Names {
    private static final Pattern MODEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]*");
    private static final Pattern CHUNK_ID = Pattern.compile("[0-9a-f]{64}");

    private Names() {}

    public static String model(String name) {
        return check(MODEL, name, "model name");
    }

    public static String channel(String name) {
        return check(MODEL, name, "channel name");
    }

    public static String version(String name) {
        return check(VERSION, name, "version");
    }

    public static String chunkId(String id) {
        return check(CHUNK_ID, id, "chunk id");
    }

    public static String sha256(String hex) {
        return check(CHUNK_ID, hex, "SHA-256");
    }

    /** A relative path that cannot escape its version folder. */
    public static String filePath(String path) {
        if (path == null || path.isEmpty() || path.length() > 512) {
            throw new SyncException.MalformedMetadata("file path '" + path + "' is empty or longer than 512 characters");
        }
        for (var segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals("..")) {
                throw new SyncException.MalformedMetadata("file path '" + path + "' has a forbidden segment '" + segment + "'");
            }
        }
        return path;
    }

    private static String check(Pattern p, String value, String what) {
        if (value == null || !p.matcher(value).matches()) {
            throw new SyncException.MalformedMetadata(what + " '" + value + "' does not match " + p.pattern());
        }
        return value;
    }
}
