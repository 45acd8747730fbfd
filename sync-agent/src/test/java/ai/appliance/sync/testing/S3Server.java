package ai.appliance.sync.testing;

import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.store.ObjectStore;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

import java.net.URI;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real S3 API server in-process (S3Proxy over jclouds' in-memory blob store) that counts what it serves,
 * so tests measure bytes moved at the store itself. Credentials go through the SDK's standard chain
 * (the aws.accessKeyId / aws.secretAccessKey system properties).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-key";

    private S3Proxy proxy;
    private final BlobStoreContext context;
    private final BlobStore counting;
    private int port;
    public final AtomicLong chunkBytesServed = new AtomicLong();
    public final AtomicLong bytesServed = new AtomicLong();
    public final AtomicLong gets = new AtomicLong();
    public final AtomicLong bytesStored = new AtomicLong();
    public final AtomicLong puts = new AtomicLong();

    public S3Server() throws Exception {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        context = ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY, SECRET_KEY).overrides(new Properties())
                .build(BlobStoreContext.class);
        counting = new ForwardingBlobStore(context.getBlobStore()) {
            @Override
            public Blob getBlob(String container, String name, GetOptions options) {
                var blob = super.getBlob(container, name, options);
                count(name, blob);
                return blob;
            }

            @Override
            public String putBlob(String container, Blob blob) {
                countPut(blob);
                return super.putBlob(container, blob);
            }

            @Override
            public String putBlob(String container, Blob blob, org.jclouds.blobstore.options.PutOptions options) {
                countPut(blob);
                return super.putBlob(container, blob, options);
            }

            @Override
            public org.jclouds.blobstore.domain.MultipartPart uploadMultipartPart(org.jclouds.blobstore.domain.MultipartUpload mpu, int part,
                                                                                  org.jclouds.io.Payload payload) {
                puts.incrementAndGet();
                Long len = payload.getContentMetadata().getContentLength();
                if (len != null) bytesStored.addAndGet(len);
                return super.uploadMultipartPart(mpu, part, payload);
            }

            @Override
            public Blob getBlob(String container, String name) {
                var blob = super.getBlob(container, name);
                count(name, blob);
                return blob;
            }
        };
        startProxy(0);
    }

    private void startProxy(int onPort) throws Exception {
        proxy = S3Proxy.builder().blobStore(counting).endpoint(URI.create("http://127.0.0.1:" + onPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    /** Takes the endpoint off the network (a site link going down); the data stays. */
    public void goOffline() throws Exception {
        proxy.stop();
    }

    /** Brings the same endpoint (same port, same data) back. */
    public void comeBack() throws Exception {
        startProxy(port);
    }

    private void countPut(Blob blob) {
        puts.incrementAndGet();
        Long len = blob.getMetadata().getContentMetadata().getContentLength();
        if (len != null) bytesStored.addAndGet(len);
    }

    private void count(String name, Blob blob) {
        gets.incrementAndGet();
        if (blob == null) return;
        Long len = blob.getMetadata().getContentMetadata().getContentLength();
        if (len == null) return;
        bytesServed.addAndGet(len);
        if (name.startsWith("chunks/") || name.contains("/chunks/")) chunkBytesServed.addAndGet(len);
    }

    public void resetCounters() {
        chunkBytesServed.set(0);
        bytesServed.set(0);
        gets.set(0);
        bytesStored.set(0);
        puts.set(0);
    }

    public int port() {
        return port;
    }

    /** Creates a bucket and returns its store URI. */
    public String bucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
        return "s3://" + name + "?endpoint=http://127.0.0.1:" + port() + "&pathStyle=true&region=us-east-1";
    }

    public ObjectStore open(String uri) {
        return StoreUris.open(uri);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
