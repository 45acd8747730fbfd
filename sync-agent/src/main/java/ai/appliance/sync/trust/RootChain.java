package ai.appliance.sync.trust;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;

import java.util.function.Consumer;

/**
 * Resolves the current root of a store from what a verifier trusts: walks {@code roots/<n>.json} from
 * {@code nextSerial} upward (so a root-key rotation missed while offline still chains to the pin), then
 * verifies {@code root.json}. Every accepted step is handed to {@code onAccept} before the verifier trusts it.
 */
public final class RootChain {
    private RootChain() {}

    public static MetadataVerifier.TrustedRoot resolve(ObjectStore store, MetadataVerifier verifier, long nextSerial,
                                                       Consumer<MetadataVerifier.TrustedRoot> onAccept) {
        for (long next = Math.max(1, nextSerial); ; next++) {
            var key = StoreKeys.rootHistory(next);
            var historic = store.get(key);
            if (historic.isEmpty()) break;
            var step = verifier.verifyRoot(historic.get(), store.answering() + ": " + key, false);
            if (step.root().serial() != next) {
                throw new SyncException.MalformedMetadata(store.answering() + ": " + key + " holds root serial " + step.root().serial());
            }
            onAccept.accept(step);
            verifier.trust(step);
        }
        var bytes = store.get(StoreKeys.ROOT).orElseThrow(() -> new SyncException.NotFound(store.describe() + ": no root.json (run 'sync sign-root')"));
        var root = verifier.verifyRoot(bytes, StoreKeys.ROOT);
        onAccept.accept(root);
        verifier.trust(root);
        return root;
    }

    /** For stateless readers (replicate, export, import): the whole chain from the pinned key; {@code verifier} is left as it was. */
    public static MetadataVerifier.TrustedRoot resolve(ObjectStore store, MetadataVerifier verifier) {
        return resolve(store, verifier.copy(), 1, r -> {});
    }
}
