package ai.appliance.runtime.grammar;

import java.nio.charset.StandardCharsets;

/**
 * Where output stands in a grammar: a persistent (shared, immutable) stack of {@link Frame}s, the innermost on top.
 * {@link #advance} reads one byte and returns the next state, or null when the grammar refuses it. States compare by
 * value and hash in constant time, so they key caches of token masks.
 */
public final class GrammarState {
    /** The empty stack: the grammar's value is complete and nothing more may follow. */
    static final GrammarState DONE = new GrammarState(null, null);

    final Frame top;
    final GrammarState below;
    private final int depth;
    private final int hash;

    private GrammarState(Frame top, GrammarState below) {
        this.top = top;
        this.below = below;
        this.depth = below == null ? 0 : below.depth + 1;
        this.hash = below == null ? 0 : 31 * below.hash + top.hashCode();
    }

    /** The state before the first byte of {@code rule}'s output. */
    public static GrammarState start(Rule rule) {
        return DONE.push(rule.start());
    }

    GrammarState push(Frame frame) {
        return new GrammarState(frame, this);
    }

    /** This state with {@code frame} pushed, reading {@code b} as that frame's first byte. */
    GrammarState pushAndFeed(Frame frame, int b) {
        return frame.step(push(frame), b);
    }

    /** The state after byte {@code b}, or null when the grammar does not allow it here. */
    public GrammarState advance(int b) {
        return top == null ? null : top.step(this, b & 0xFF);
    }

    /** The state after all of {@code bytes}, or null when the grammar refuses one of them. */
    public GrammarState advance(byte[] bytes) {
        var state = this;
        for (int i = 0; i < bytes.length && state != null; i++) state = state.advance(bytes[i]);
        return state;
    }

    /** As {@link #advance(byte[])}, but refusing bytes read as free text (for a control token's literal text). */
    public GrammarState advanceLiteral(byte[] bytes) {
        var state = this;
        for (int i = 0; i < bytes.length && state != null; i++) {
            if (state.top != null && state.top.freeText()) return null;
            state = state.advance(bytes[i]);
        }
        return state;
    }

    /** The state after {@code text}'s UTF-8 bytes, or null. */
    public GrammarState advance(String text) {
        return advance(text.getBytes(StandardCharsets.UTF_8));
    }

    /** See {@link Frame#plainTextRoom()}: -1 unless inside a string's body. */
    int plainTextRoom() {
        return top == null ? -1 : top.plainTextRoom();
    }

    /** Whether the output may end here: every open rule can end without more bytes. */
    public boolean isComplete() {
        for (var s = this; s.top != null; s = s.below) if (!s.top.canEnd()) return false;
        return true;
    }

    /** Whether no byte at all can follow (the value is complete and closed). */
    public boolean isClosed() {
        return top == null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof GrammarState other) || other.hash != hash || other.depth != depth) return false;
        var a = this;
        var b = other;
        while (a != b) {
            if (!a.top.equals(b.top)) return false;
            a = a.below;
            b = b.below;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("GrammarState[");
        for (var s = this; s.top != null; s = s.below) sb.append(s.top).append(s.below.top != null ? " | " : "");
        return sb.append(']').toString();
    }
}
