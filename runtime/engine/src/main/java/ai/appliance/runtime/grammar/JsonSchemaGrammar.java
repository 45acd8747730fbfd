package ai.appliance.runtime.grammar;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles a JSON Schema into a {@link Rule} whose every complete output validates against the schema. Only a
 * subset can be enforced while generating; everything else is refused with an {@link UnsupportedSchemaException}
 * naming the keyword, never silently ignored. Supported: {@link #SUPPORTED}. Annotations (title, description,
 * default, examples, $schema, $id, $comment, deprecated, readOnly, writeOnly, $defs) are ignored; keywords that
 * JSON Schema itself does not define are ignored too, as validators do.
 *
 * <p>What the generated JSON looks like: object properties in the schema's order, optional ones possibly left out,
 * no undeclared properties (whatever {@code additionalProperties} says: the output validates either way), one space
 * at most after a colon or comma and no other whitespace, numbers with at most 15 integer and 15 fraction digits.
 */
public final class JsonSchemaGrammar {

    /** What {@link #compile} enforces; the rest of JSON Schema is refused. */
    public static final String SUPPORTED = "type (object, array, string, number, integer, boolean, null, or a list of"
            + " them), properties, required, additionalProperties (true or false), items, minItems, maxItems, enum,"
            + " const, minLength, maxLength, anyOf/oneOf of alternatives that start differently (e.g. a string or"
            + " null), allOf with one schema, $ref to a non-recursive local definition (#/$defs/...)";

    /** How deep objects and arrays may nest where a schema leaves values free ({@code json_object}). */
    public static final int FREE_VALUE_DEPTH = 16;

    /** How deep a schema may nest. */
    static final int MAX_SCHEMA_DEPTH = 64;
    static final int MAX_PROPERTIES = 256;
    static final int MAX_ENUM_VALUES = 4096;

    private static final Set<String> REFUSED = Set.of("pattern", "format", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
            "dependencies", "patternProperties", "propertyNames", "maxProperties", "prefixItems", "contains",
            "minContains", "maxContains", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
            "contentEncoding", "contentMediaType", "contentSchema", "$dynamicRef", "$recursiveRef");
    /** Keywords that only describe and never constrain. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema",
            "$id", "$comment", "$anchor", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;
    private final Set<String> refsInProgress = new HashSet<>();

    private JsonSchemaGrammar(JsonNode root) {
        this.root = root;
    }

    /**
     * The grammar of JSON values valid under {@code schema}.
     *
     * @throws UnsupportedSchemaException naming the keyword that cannot be enforced
     */
    public static Rule compile(JsonNode schema) {
        return new JsonSchemaGrammar(schema).schema(schema, "", 0);
    }

    /** Any JSON object: OpenAI's {@code {"type": "json_object"}}. */
    public static Rule anyObject() {
        return AnyValueRule.object(FREE_VALUE_DEPTH);
    }

    private Rule schema(JsonNode node, String at, int depth) {
        if (depth > MAX_SCHEMA_DEPTH) {
            throw new UnsupportedSchemaException(null, at, "the schema nests deeper than " + MAX_SCHEMA_DEPTH + " levels");
        }
        if (node.isBoolean()) {
            if (node.booleanValue()) return new AnyValueRule(FREE_VALUE_DEPTH);
            throw new UnsupportedSchemaException(null, at, "the schema false admits no value at all");
        }
        if (!node.isObject()) throw new UnsupportedSchemaException(null, at, "a schema must be a JSON object or a boolean");
        refuseUnsupported(node, at);

        if (node.has("$ref")) return reference(node, at, depth);
        for (var combinator : List.of("anyOf", "oneOf")) {
            if (node.has(combinator)) return alternatives(node, combinator, at, depth);
        }
        if (node.has("allOf")) {
            var all = node.get("allOf");
            if (!all.isArray() || all.size() != 1 || constraining(node, "allOf")) {
                throw new UnsupportedSchemaException("allOf", at, "allOf is supported only with exactly one schema and"
                        + " nothing else beside it; supported: " + SUPPORTED);
            }
            return schema(all.get(0), at + "/allOf/0", depth + 1);
        }
        var types = types(node, at);
        if (node.has("const")) return literals(List.of(node.get("const")), types, "const", at);
        if (node.has("enum")) {
            var values = node.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw new UnsupportedSchemaException("enum", at, "enum must be a non-empty array");
            }
            if (values.size() > MAX_ENUM_VALUES) {
                throw new UnsupportedSchemaException("enum", at, "enum lists more than " + MAX_ENUM_VALUES + " values");
            }
            var list = new ArrayList<JsonNode>();
            values.forEach(list::add);
            return literals(list, types, "enum", at);
        }
        if (types.isEmpty()) types = inferredType(node);
        if (types.isEmpty()) return new AnyValueRule(FREE_VALUE_DEPTH);
        var rules = new ArrayList<Rule>();
        for (var type : types) rules.add(typed(type, node, at, depth));
        return rules.size() == 1 ? rules.getFirst() : new ChoiceRule(rules);
    }

    private static void refuseUnsupported(JsonNode node, String at) {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            var keyword = it.next();
            var value = node.get(keyword);
            boolean harmless = switch (keyword) {
                case "uniqueItems" -> value.isBoolean() && !value.booleanValue();
                case "minProperties" -> value.canConvertToInt() && value.intValue() == 0;
                default -> false;
            };
            if (!harmless && (REFUSED.contains(keyword) || keyword.equals("uniqueItems") || keyword.equals("minProperties"))) {
                throw new UnsupportedSchemaException(keyword, at + "/" + escape(keyword), "the keyword '" + keyword
                        + "' cannot be enforced while generating; supported: " + SUPPORTED);
            }
        }
    }

    private Rule reference(JsonNode node, String at, int depth) {
        if (constraining(node, "$ref")) {
            throw new UnsupportedSchemaException("$ref", at, "$ref is supported only without other constraining"
                    + " keywords beside it (move them into the referenced schema)");
        }
        var ref = node.get("$ref");
        if (!ref.isTextual() || !ref.asText().startsWith("#")) {
            throw new UnsupportedSchemaException("$ref", at + "/$ref", "only local references (#/$defs/Name) are"
                    + " supported, not other documents");
        }
        String pointer = ref.asText().substring(1);
        JsonNode target;
        try {
            target = pointer.isEmpty() ? root : root.at(JsonPointer.compile(pointer));
        } catch (IllegalArgumentException e) {
            throw new UnsupportedSchemaException("$ref", at + "/$ref", "'" + ref.asText() + "' is not a JSON pointer");
        }
        if (target.isMissingNode()) {
            throw new UnsupportedSchemaException("$ref", at + "/$ref", "'" + ref.asText() + "' points at nothing in the schema");
        }
        if (!refsInProgress.add(pointer)) {
            throw new UnsupportedSchemaException("$ref", at + "/$ref", "'" + ref.asText() + "' refers to itself"
                    + " (recursive schemas cannot be enforced; give the nesting a fixed depth)");
        }
        try {
            return schema(target, pointer, depth + 1);
        } finally {
            refsInProgress.remove(pointer);
        }
    }

    private Rule alternatives(JsonNode node, String combinator, String at, int depth) {
        var list = node.get(combinator);
        if (!list.isArray() || list.isEmpty()) {
            throw new UnsupportedSchemaException(combinator, at, combinator + " must be a non-empty array of schemas");
        }
        if (constraining(node, combinator)) {
            throw new UnsupportedSchemaException(combinator, at, combinator + " is supported only without other"
                    + " constraining keywords beside it (move them into each alternative)");
        }
        var rules = new ArrayList<Rule>();
        for (int i = 0; i < list.size(); i++) rules.add(schema(list.get(i), at + "/" + combinator + "/" + i, depth + 1));
        if (rules.size() == 1) return rules.getFirst();
        if (!ChoiceRule.distinguishable(rules)) {
            throw new UnsupportedSchemaException(combinator, at, "the alternatives of " + combinator + " must start"
                    + " differently as JSON (a string or null, an object or an array); two alternatives of the same"
                    + " type cannot be told apart while generating");
        }
        return new ChoiceRule(rules);
    }

    /** Whether the schema has keywords besides {@code except} that constrain values (not annotations). */
    private static boolean constraining(JsonNode node, String except) {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            var keyword = it.next();
            if (!keyword.equals(except) && !ANNOTATIONS.contains(keyword)) return true;
        }
        return false;
    }

    /** The declared types, in the schema's order ({@code number} absorbs {@code integer}). */
    private static List<String> types(JsonNode node, String at) {
        var type = node.get("type");
        if (type == null) return List.of();
        var out = new LinkedHashSet<String>();
        if (type.isTextual()) {
            out.add(type.asText());
        } else if (type.isArray() && !type.isEmpty()) {
            for (var t : type) {
                if (!t.isTextual()) throw new UnsupportedSchemaException("type", at + "/type", "type must name JSON types");
                out.add(t.asText());
            }
        } else {
            throw new UnsupportedSchemaException("type", at + "/type", "type must be a type name or a list of them");
        }
        for (var t : out) {
            if (!TYPES.contains(t)) {
                throw new UnsupportedSchemaException("type", at + "/type", "unknown type '" + t + "'; JSON Schema's"
                        + " types are " + String.join(", ", TYPES));
            }
        }
        if (out.contains("number")) out.remove("integer");
        return List.copyOf(out);
    }

    private static List<String> inferredType(JsonNode node) {
        if (node.has("properties") || node.has("required") || node.has("additionalProperties")) return List.of("object");
        if (node.has("items") || node.has("minItems") || node.has("maxItems")) return List.of("array");
        if (node.has("minLength") || node.has("maxLength")) return List.of("string");
        return List.of();
    }

    private Rule typed(String type, JsonNode node, String at, int depth) {
        return switch (type) {
            case "object" -> object(node, at, depth);
            case "array" -> array(node, at, depth);
            case "string" -> {
                int min = count(node, "minLength", 0, at);
                int max = count(node, "maxLength", StringRule.UNBOUNDED, at);
                if (max < min) throw new UnsupportedSchemaException("maxLength", at, "maxLength is below minLength");
                yield min == 0 && max == StringRule.UNBOUNDED ? StringRule.ANY : new StringRule(min, max);
            }
            case "number" -> NumberRule.NUMBER;
            case "integer" -> NumberRule.INTEGER;
            case "boolean" -> LiteralRule.BOOLEAN;
            case "null" -> LiteralRule.NULL;
            default -> throw new IllegalStateException(type);
        };
    }

    private Rule object(JsonNode node, String at, int depth) {
        var additional = node.get("additionalProperties");
        boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue();
        if (additional != null && !additional.isBoolean() && !(additional.isObject() && additional.isEmpty())) {
            throw new UnsupportedSchemaException("additionalProperties", at + "/additionalProperties",
                    "additionalProperties must be true or false: maps with a value schema cannot be generated;"
                            + " declare the properties instead");
        }
        var properties = node.get("properties");
        var required = new HashSet<String>();
        var requiredNode = node.get("required");
        if (requiredNode != null) {
            if (!requiredNode.isArray()) throw new UnsupportedSchemaException("required", at + "/required", "required must be an array of names");
            for (var r : requiredNode) {
                if (!r.isTextual()) throw new UnsupportedSchemaException("required", at + "/required", "required must be an array of names");
                required.add(r.asText());
            }
        }
        if (properties == null) {
            if (!required.isEmpty()) {
                throw new UnsupportedSchemaException("required", at + "/required", "required names properties that"
                        + " properties does not declare: " + required);
            }
            // No declared properties: any object, unless additional ones are forbidden too.
            return closed ? new ObjectRule(List.of()) : AnyValueRule.object(FREE_VALUE_DEPTH);
        }
        if (!properties.isObject()) throw new UnsupportedSchemaException("properties", at + "/properties", "properties must be an object");
        if (properties.size() > MAX_PROPERTIES) {
            throw new UnsupportedSchemaException("properties", at + "/properties", "more than " + MAX_PROPERTIES + " properties");
        }
        var list = new ArrayList<ObjectRule.Property>();
        for (var it = properties.fields(); it.hasNext(); ) {
            var e = it.next();
            var value = schema(e.getValue(), at + "/properties/" + escape(e.getKey()), depth + 1);
            list.add(new ObjectRule.Property(e.getKey(), value, required.contains(e.getKey())));
        }
        for (var name : required) {
            if (!properties.has(name)) {
                throw new UnsupportedSchemaException("required", at + "/required", "required names '" + name
                        + "', which properties does not declare (only declared properties are generated)");
            }
        }
        return new ObjectRule(list);
    }

    private Rule array(JsonNode node, String at, int depth) {
        var items = node.get("items");
        Rule item = items == null ? new AnyValueRule(FREE_VALUE_DEPTH) : schema(items, at + "/items", depth + 1);
        int min = count(node, "minItems", 0, at);
        int max = count(node, "maxItems", ArrayRule.UNBOUNDED, at);
        if (max < min) throw new UnsupportedSchemaException("maxItems", at, "maxItems is below minItems");
        return new ArrayRule(item, min, max);
    }

    private static int count(JsonNode node, String keyword, int fallback, String at) {
        var value = node.get(keyword);
        if (value == null) return fallback;
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            throw new UnsupportedSchemaException(keyword, at + "/" + keyword, keyword + " must be a whole number from 0 to "
                    + Integer.MAX_VALUE);
        }
        return value.intValue();
    }

    /** Exactly one of {@code values} (those of the declared types, when types are declared). */
    private static Rule literals(List<JsonNode> values, List<String> types, String keyword, String at) {
        var texts = new LinkedHashSet<String>();
        for (var v : values) {
            if (types.isEmpty() || types.stream().anyMatch(t -> matches(v, t))) {
                try {
                    texts.add(JSON.writeValueAsString(v));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (texts.isEmpty()) {
            throw new UnsupportedSchemaException(keyword, at + "/" + keyword, "no value of " + keyword
                    + " has the declared type " + types);
        }
        var bytes = new ArrayList<byte[]>();
        for (var t : texts) bytes.add(t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return LiteralRule.of(bytes);
    }

    private static boolean matches(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> false;
        };
    }

    /** A JSON pointer token (RFC 6901). */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
