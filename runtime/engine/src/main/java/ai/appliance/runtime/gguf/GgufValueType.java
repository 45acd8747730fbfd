package ai.appliance.runtime.gguf;

/** Types of GGUF metadata values with their on-disk ids (gguf_type in ggml). */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** u64 byte length followed by UTF-8 bytes. */
    STRING(8, 8),
    /** u32 element type, u64 count, then the elements. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int minimumSize;

    GgufValueType(int id, int minimumSize) {
        this.id = id;
        this.minimumSize = minimumSize;
    }

    public int id() {
        return id;
    }

    /** Bytes one value occupies at the least: exact for scalars, the length prefix for strings and arrays. */
    int minimumSize() {
        return minimumSize;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this id, or null. */
    public static GgufValueType byId(long id) {
        for (var t : values()) {
            if (t.id == id) return t;
        }
        return null;
    }
}
