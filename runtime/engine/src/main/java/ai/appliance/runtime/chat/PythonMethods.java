package ai.appliance.runtime.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's str and dict methods that chat templates call ({@code content.split('</think>')},
 * {@code .strip()}, {@code .startswith(...)}, {@code message.get('x')}, {@code .items()}), which Jinjava would
 * otherwise look up as Java methods (Java's {@code split} takes a regex; {@code startswith} does not exist).
 * Resolves these method calls and string indexing; everything else falls through to Jinjava's resolvers.
 */
final class PythonMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(method instanceof String name)) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        try {
            if (base instanceof CharSequence cs) {
                result = stringMethod(cs.toString(), name, args);
            } else if (base instanceof Map<?, ?> map) {
                result = mapMethod(map, name, args);
            } else {
                return null;
            }
        } catch (ClassCastException | IndexOutOfBoundsException | IllegalArgumentException | NullPointerException e) {
            throw new ChatTemplateException("chat template called " + name + "() with unusable arguments: " + e.getMessage());
        }
        if (result == NOT_HANDLED) return null;
        context.setPropertyResolved(true);
        return result;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object stringMethod(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> strip(s, chars(a), true, true);
            case "lstrip" -> strip(s, chars(a), true, false);
            case "rstrip" -> strip(s, chars(a), false, true);
            case "split" -> split(s, a.length > 0 && a[0] != null ? a[0].toString() : null,
                    a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "startswith" -> affix(s, a[0], true);
            case "endswith" -> affix(s, a[0], false);
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "replace" -> a.length > 2 ? replaceCount(s, a[0].toString(), a[1].toString(), ((Number) a[2]).intValue())
                    : s.replace(a[0].toString(), a[1].toString());
            case "find" -> s.indexOf(a[0].toString());
            case "count" -> count(s, a[0].toString());
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                    + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "splitlines" -> splitlines(s);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(c -> isSpace((char) c));
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            default -> NOT_HANDLED;
        };
    }

    private static Object mapMethod(Map<?, ?> map, String name, Object[] a) {
        return switch (name) {
            case "items" -> map.entrySet().stream().map(e -> (Object) java.util.Arrays.asList(e.getKey(), e.getValue())).toList();
            case "keys" -> new ArrayList<>(map.keySet());
            case "values" -> new ArrayList<>(map.values());
            case "get" -> {
                if (a.length == 0) yield NOT_HANDLED;
                Object v = map.get(a[0]);
                yield v != null || map.containsKey(a[0]) ? v : (a.length > 1 ? a[1] : null);
            }
            default -> NOT_HANDLED;
        };
    }

    private static String chars(Object[] a) {
        return a.length > 0 && a[0] != null ? a[0].toString() : null;
    }

    /** Python strip: whitespace by default, else any of {@code chars}. */
    private static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0, end = s.length();
        if (left) while (start < end && stripped(s.charAt(start), chars)) start++;
        if (right) while (end > start && stripped(s.charAt(end - 1), chars)) end--;
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** Python's str.isspace for one character: Java whitespace plus the no-break spaces Java leaves out. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** Python splitlines(): line breaks removed, no empty string for a final break or an empty text. */
    private static List<String> splitlines(String s) {
        var lines = new ArrayList<String>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u000b' || c == '\u000c' || c == '\u001c' || c == '\u001d'
                    || c == '\u001e' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                lines.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        if (start < s.length()) lines.add(s.substring(start));
        return lines;
    }

    /** Python split: literal separator, or runs of whitespace (dropping empties) when none is given. */
    private static List<String> split(String s, String sep, int maxSplit) {
        var out = new ArrayList<String>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (i < n) {
                while (i < n && isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        int start = 0;
        for (int at; (maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, start)) >= 0; start = at + sep.length()) {
            out.add(s.substring(start, at));
        }
        out.add(s.substring(start));
        return out;
    }

    private static boolean affix(String s, Object arg, boolean prefix) {
        if (arg instanceof Iterable<?> options) {
            for (var o : options) if (affix(s, o, prefix)) return true;
            return false;
        }
        return prefix ? s.startsWith(String.valueOf(arg)) : s.endsWith(String.valueOf(arg));
    }

    private static String replaceCount(String s, String from, String to, int count) {
        if (count < 0) return s.replace(from, to);
        var out = new StringBuilder();
        int start = 0;
        for (int i = 0, at; i < count && !from.isEmpty() && (at = s.indexOf(from, start)) >= 0; i++, start = at + from.length()) {
            out.append(s, start, at).append(to);
        }
        return out.append(s.substring(start)).toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    private static String title(String s) {
        var out = new StringBuilder(s.length());
        boolean prevCased = false;
        for (char c : s.toCharArray()) {
            out.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return out.toString();
    }

    /** {@code text[i]} with Python's negative indices; other property access is left to Jinjava. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // Jinjava hands a numeric subscript over as its decimal text
        Integer index = property instanceof Number n ? Integer.valueOf(n.intValue())
                : property instanceof String p && p.matches("-?\\d{1,9}") ? Integer.valueOf(p) : null;
        if (base instanceof CharSequence cs && index != null) {
            int i = index;
            if (i < 0) i += cs.length();
            context.setPropertyResolved(true);
            return i >= 0 && i < cs.length() ? String.valueOf(cs.charAt(i)) : null;
        }
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public java.util.Iterator<java.beans.FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
