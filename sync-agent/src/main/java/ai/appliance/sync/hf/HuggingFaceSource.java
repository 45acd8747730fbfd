package ai.appliance.sync.hf;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.Names;
import ai.appliance.sync.util.Hex;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Progress;
import ai.appliance.sync.util.Sha256;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only import from the Hugging Face Hub through its documented endpoints:
 * {@code GET /api/models/{repo}/tree/{revision}?recursive=true} lists files (LFS files carry the SHA-256 and size
 * of their pointer; others their git blob SHA-1), {@code GET /{repo}/resolve/{revision}/{path}} downloads one.
 * Every file is verified against what the listing says before it can be published.
 */
public final class HuggingFaceSource {
    /** One file of the repository as the hub lists it. */
    public record HubFile(String path, long size, String gitOid, String lfsSha256) {}

    private final URI endpoint;
    private final String repo;
    private final String revision;
    private final HttpClient http;
    private final String token;

    public HuggingFaceSource(URI endpoint, String repo, String revision, String token) {
        if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new SyncException.UsageError("Hugging Face repo '" + repo + "' is not owner/name");
        }
        this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", ""));
        this.repo = repo;
        this.revision = revision;
        this.token = token;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Parses {@code hf:owner/repo[@revision][?endpoint=URL]}. */
    public static HuggingFaceSource parse(String uri, String token) {
        if (!uri.startsWith("hf:")) throw new SyncException.UsageError("'" + uri + "' is not an hf: source");
        var rest = uri.substring(3);
        var endpoint = "https://huggingface.co";
        int q = rest.indexOf("?endpoint=");
        if (q >= 0) {
            endpoint = rest.substring(q + "?endpoint=".length());
            rest = rest.substring(0, q);
        }
        int at = rest.indexOf('@');
        var repo = at < 0 ? rest : rest.substring(0, at);
        var rev = at < 0 ? "main" : rest.substring(at + 1);
        return new HuggingFaceSource(URI.create(endpoint), repo, rev, token);
    }

    public List<HubFile> list() {
        var url = endpoint + "/api/models/" + repo + "/tree/" + enc(revision) + "?recursive=true";
        var body = send(url, HttpResponse.BodyHandlers.ofByteArray()).body();
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new SyncException.MalformedMetadata(url + ": not JSON", e);
        }
        if (!tree.isArray()) throw new SyncException.MalformedMetadata(url + ": expected a JSON array of files");
        var out = new ArrayList<HubFile>();
        for (var n : tree) {
            if (!"file".equals(n.path("type").asText())) continue;
            var path = n.path("path").asText();
            if (path.startsWith(".")) continue; // .gitattributes and friends are repository plumbing, not model data
            Names.filePath(path);
            var lfs = n.get("lfs");
            out.add(new HubFile(path, lfs != null ? lfs.path("size").asLong() : n.path("size").asLong(), n.path("oid").asText(null),
                    lfs != null ? Names.sha256(lfs.path("oid").asText()) : null));
        }
        return out;
    }

    /** Downloads every file into {@code dir}, verifying each; returns the files. */
    public List<HubFile> download(Path dir, Progress progress) throws IOException {
        var files = list();
        long total = files.stream().mapToLong(HubFile::size).sum();
        long done = 0;
        for (var f : files) {
            var target = dir.resolve(f.path());
            Files.createDirectories(target.getParent());
            var url = endpoint + "/" + repo + "/resolve/" + enc(revision) + "/" + f.path();
            var tmp = target.resolveSibling(target.getFileName() + ".part");
            send(url, HttpResponse.BodyHandlers.ofFile(tmp));
            long size = Files.size(tmp);
            if (size != f.size()) {
                throw new SyncException.IntegrityFailure(repo + "/" + f.path() + ": downloaded " + size + " bytes, the hub lists " + f.size());
            }
            if (f.lfsSha256() != null) {
                if (!Sha256.ofFile(tmp).equals(f.lfsSha256())) {
                    throw new SyncException.IntegrityFailure(repo + "/" + f.path() + ": SHA-256 differs from its LFS pointer (corrupted or tampered download)");
                }
            } else if (f.gitOid() != null && !gitBlobSha1(tmp).equals(f.gitOid())) {
                throw new SyncException.IntegrityFailure(repo + "/" + f.path() + ": git blob id differs from the hub listing");
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            done += size;
            progress.update(done, total);
        }
        return files;
    }

    /** Git's blob id: SHA-1 of "blob <size>\0" + content (how the hub names non-LFS files). */
    static String gitBlobSha1(Path file) throws IOException {
        try {
            var d = MessageDigest.getInstance("SHA-1");
            d.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
            try (var in = Files.newInputStream(file)) {
                var buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
            }
            return Hex.of(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> HttpResponse<T> send(String url, HttpResponse.BodyHandler<T> handler) {
        var req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET();
        if (token != null && !token.isBlank()) req.header("Authorization", "Bearer " + token);
        try {
            var resp = http.send(req.build(), handler);
            if (resp.statusCode() == 404) throw new SyncException.NotFound(url + ": not found (repo, revision or file)");
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                throw new SyncException.UsageError(url + ": HTTP " + resp.statusCode() + " (gated or private repo: set HF_TOKEN)");
            }
            if (resp.statusCode() / 100 != 2) throw new SyncException.StoreUnavailable(url + ": HTTP " + resp.statusCode(), null);
            return resp;
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable(url + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException.StoreUnavailable(url + ": interrupted", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
