package ai.appliance.runtime.grammar;

/**
 * One level of a {@link GrammarState}'s stack: how far a rule has got. Frames are records (immutable, compared by
 * value) holding their rule by identity, so equal progress through the same compiled grammar makes equal states,
 * which is what lets masks be cached per state.
 */
interface Frame {

    /**
     * The state after this frame, on top of {@code self}, reads byte {@code b} (0..255): usually {@code self}'s
     * stack below with a successor frame pushed, popped when the value ends, or the byte handed on to the frame below
     * when it ends a value without belonging to it (the comma after a number). Null refuses the byte.
     */
    GrammarState step(GrammarState self, int b);

    /** Whether the rule may end here, without another byte (a number after a digit, a sequence at its end). */
    default boolean canEnd() {
        return false;
    }

    /**
     * Whether this frame reads free text (inside a JSON string), where a control token's text must not be taken as
     * content. Literal positions (keys, enums, the markers of a tool call) are not free text.
     */
    default boolean freeText() {
        return false;
    }

    /**
     * How many characters of plain text (whole UTF-8 characters, no quote, backslash or control character) this
     * frame takes as they come, each leaving it as it is but for a count: inside a string's body, its characters
     * still allowed ({@link Integer#MAX_VALUE} when unbounded); -1 anywhere else.
     */
    default int plainTextRoom() {
        return -1;
    }
}
