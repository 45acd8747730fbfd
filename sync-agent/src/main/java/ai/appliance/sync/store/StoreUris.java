package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Opens a store from its URI (docs/formats.md §2): {@code s3://bucket/prefix?endpoint=..}, a path, or {@code file://}. */
public final class StoreUris {
    private StoreUris() {}

    public static ObjectStore open(String uri) {
        if (uri.startsWith("s3://")) return openS3(uri);
        if (uri.startsWith("hf:")) {
            throw new SyncException.UsageError("'" + uri + "' is a Hugging Face import source; use 'sync import-hf', not a store");
        }
        if (uri.startsWith("file://")) return new FolderStore(Path.of(URI.create(uri)));
        if (uri.contains("://")) throw new SyncException.UsageError("unsupported store URI '" + uri + "' (use s3://, file:// or a path)");
        return new FolderStore(Path.of(uri));
    }

    /** An ordered list: the agent fails over from one to the next. */
    public static ObjectStore openAll(List<String> uris) {
        if (uris.isEmpty()) throw new SyncException.UsageError("no store given");
        if (uris.size() == 1) return open(uris.getFirst());
        return new FailoverStore(uris.stream().map(StoreUris::open).toList());
    }

    private static S3Store openS3(String uri) {
        var rest = uri.substring("s3://".length());
        var query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        var bucket = slash < 0 ? rest : rest.substring(0, slash);
        var prefix = slash < 0 ? "" : rest.substring(slash + 1);
        var params = parseQuery(query, uri);
        var endpoint = params.get("endpoint");
        return new S3Store(new S3Store.Options(bucket, prefix, endpoint == null ? null : URI.create(endpoint),
                params.get("region"), Boolean.parseBoolean(params.getOrDefault("pathStyle", "false")), null, null));
    }

    private static Map<String, String> parseQuery(String query, String uri) {
        var out = new HashMap<String, String>();
        if (query.isEmpty()) return out;
        for (var pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new SyncException.UsageError("store URI '" + uri + "': bad query parameter '" + pair + "'");
            var name = pair.substring(0, eq);
            if (!List.of("endpoint", "region", "pathStyle").contains(name)) {
                throw new SyncException.UsageError("store URI '" + uri + "': unknown parameter '" + name + "' (endpoint, region, pathStyle)");
            }
            out.put(name, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
