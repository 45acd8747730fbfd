package ai.appliance.runtime.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A fixed set of byte strings as a trie, each string carrying an int payload: the literals of an enum, the property
 * names of an object, the function names of a tool call. Node 0 is the root. Immutable; identity is its equality,
 * so grammar states that point into it compare cheaply.
 */
final class ByteTrie {
    private final byte[][] labels;
    private final int[][] targets;
    private final int[] payloads;

    private ByteTrie(byte[][] labels, int[][] targets, int[] payloads) {
        this.labels = labels;
        this.targets = targets;
        this.payloads = payloads;
    }

    /**
     * @param keys     the strings; none may be empty or repeat
     * @param payloads one per key
     */
    static ByteTrie of(List<byte[]> keys, int[] payloads) {
        if (keys.size() != payloads.length) throw new IllegalArgumentException("one payload per key");
        var children = new ArrayList<List<int[]>>(); // per node: {byte, child}
        var payload = new ArrayList<Integer>();
        children.add(new ArrayList<>());
        payload.add(-1);
        for (int k = 0; k < keys.size(); k++) {
            byte[] key = keys.get(k);
            if (key.length == 0) throw new IllegalArgumentException("a trie key must not be empty");
            int node = 0;
            for (byte value : key) {
                int b = value & 0xFF;
                int next = -1;
                for (int[] edge : children.get(node)) if (edge[0] == b) next = edge[1];
                if (next < 0) {
                    next = children.size();
                    children.add(new ArrayList<>());
                    payload.add(-1);
                    children.get(node).add(new int[] {b, next});
                }
                node = next;
            }
            if (payload.get(node) >= 0) throw new IllegalArgumentException("duplicate trie key");
            payload.set(node, payloads[k]);
        }
        int n = children.size();
        var labels = new byte[n][];
        var targets = new int[n][];
        var payloadArray = new int[n];
        for (int i = 0; i < n; i++) {
            var edges = children.get(i);
            edges.sort((a, b) -> Integer.compare(a[0], b[0]));
            labels[i] = new byte[edges.size()];
            targets[i] = new int[edges.size()];
            for (int e = 0; e < edges.size(); e++) {
                labels[i][e] = (byte) edges.get(e)[0];
                targets[i][e] = edges.get(e)[1];
            }
            payloadArray[i] = payload.get(i);
        }
        return new ByteTrie(labels, targets, payloadArray);
    }

    /** The node after {@code node} reads byte {@code b} (0..255), or -1. */
    int child(int node, int b) {
        byte[] l = labels[node];
        for (int i = 0; i < l.length; i++) if ((l[i] & 0xFF) == b) return targets[node][i];
        return -1;
    }

    /** Whether a key ends at {@code node}. */
    boolean terminal(int node) {
        return payloads[node] >= 0;
    }

    /** Whether no key goes on past {@code node}. */
    boolean leaf(int node) {
        return labels[node].length == 0;
    }

    /** The payload of the key ending at {@code node}. */
    int payload(int node) {
        return payloads[node];
    }

    /** The bytes any key can start with. */
    BitSet firstBytes() {
        var set = new BitSet(256);
        for (byte b : labels[0]) set.set(b & 0xFF);
        return set;
    }

    @Override
    public String toString() {
        return "ByteTrie[" + labels.length + " nodes, first " + Arrays.toString(labels[0]) + "]";
    }
}
