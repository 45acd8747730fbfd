package ai.appliance.runtime.tokenizer;

/** What a vocabulary entry is, with the numbering of GGUF's {@code tokenizer.ggml.token_type}. */
public enum TokenKind {
    NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    /** GGUF token type code (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte); others read as NORMAL. */
    public static TokenKind fromGguf(int code) {
        return switch (code) {
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> NORMAL;
        };
    }
}
