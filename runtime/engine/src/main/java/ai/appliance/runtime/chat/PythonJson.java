package ai.appliance.runtime.chat;

import java.lang.reflect.Array;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(value, ensure_ascii=False, indent=...)} writes it, which is
 * what transformers' {@code tojson} filter produces: {@code ", "} and {@code ": "} separators, non-ASCII kept.
 */
final class PythonJson {
    private PythonJson() {
    }

    static String dumps(Object value, Integer indent) {
        var out = new StringBuilder();
        write(value, indent, 0, out);
        return out.toString();
    }

    private static void write(Object v, Integer indent, int depth, StringBuilder out) {
        switch (v) {
            case null -> out.append("null");
            case String s -> string(s, out);
            case CharSequence s -> string(s.toString(), out);
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(pythonFloat(d));
            case Float f -> out.append(pythonFloat(f.doubleValue()));
            case Number n -> out.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) out.append(indent == null ? ", " : ",");
                    first = false;
                    newline(indent, depth + 1, out);
                    string(String.valueOf(e.getKey()), out);
                    out.append(": ");
                    write(e.getValue(), indent, depth + 1, out);
                }
                newline(indent, depth, out);
                out.append('}');
            }
            case Iterable<?> it -> sequence(it, indent, depth, out);
            default -> {
                if (v.getClass().isArray()) {
                    var list = new java.util.ArrayList<Object>();
                    for (int i = 0; i < Array.getLength(v); i++) list.add(Array.get(v, i));
                    sequence(list, indent, depth, out);
                } else {
                    string(v.toString(), out);
                }
            }
        }
    }

    private static void sequence(Iterable<?> items, Integer indent, int depth, StringBuilder out) {
        var it = items.iterator();
        if (!it.hasNext()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        while (it.hasNext()) {
            if (!first) out.append(indent == null ? ", " : ",");
            first = false;
            newline(indent, depth + 1, out);
            write(it.next(), indent, depth + 1, out);
        }
        newline(indent, depth, out);
        out.append(']');
    }

    private static void newline(Integer indent, int depth, StringBuilder out) {
        if (indent == null) return;
        out.append('\n').append(" ".repeat(indent * depth));
    }

    /** Python's float repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        var decimal = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros(); // shortest digits (JDK 19+)
        String digits = decimal.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - decimal.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = decimal.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
