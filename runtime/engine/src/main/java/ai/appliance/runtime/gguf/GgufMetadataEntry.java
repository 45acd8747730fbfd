package ai.appliance.runtime.gguf;

/**
 * One metadata key-value pair as stored, with its GGUF type so that a writer can copy it unchanged.
 *
 * @param elementType for arrays the type of their elements, otherwise null
 * @param value       the Java value, mapped as described in {@link GgufFile#metadata()}
 */
public record GgufMetadataEntry(String key, GgufValueType type, GgufValueType elementType, Object value) {
}
