package ai.appliance.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Status codes of one NVIDIA library by name, from a code=NAME resource beside this class. */
final class ErrorNames {

    private final Map<Integer, String> names;
    private final String kind;

    private ErrorNames(Map<Integer, String> names, String kind) {
        this.names = names;
        this.kind = kind;
    }

    /** @param kind the C type of the codes, named for codes the table lacks (e.g. "CUresult 12345") */
    static ErrorNames load(String resource, String kind) {
        var properties = new Properties();
        try (var in = ErrorNames.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource + " beside " + ErrorNames.class);
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var names = new HashMap<Integer, String>();
        properties.forEach((code, name) -> names.put(Integer.parseInt(code.toString().trim()), name.toString().trim()));
        return new ErrorNames(Map.copyOf(names), kind);
    }

    String name(int code) {
        return names.getOrDefault(code, kind + " " + code);
    }

    /** The name, or null for a code the table does not have. */
    String known(int code) {
        return names.get(code);
    }
}
