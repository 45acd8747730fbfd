package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings are what CPython 3.11's json.dumps / repr print for the same values. */
class PythonJsonTest {

    @Test
    void floatsPrintLikePythonRepr() {
        assertEquals("1.5", PythonJson.pythonFloat(1.5));
        assertEquals("10000000.0", PythonJson.pythonFloat(1e7));
        assertEquals("1e+16", PythonJson.pythonFloat(1e16));
        assertEquals("1.2345678901234568e+17", PythonJson.pythonFloat(123456789012345678.0));
        assertEquals("0.0001", PythonJson.pythonFloat(1e-4));
        assertEquals("1.5e-07", PythonJson.pythonFloat(1.5e-7));
        assertEquals("-0.1", PythonJson.pythonFloat(-0.1));
        assertEquals("-0.0", PythonJson.pythonFloat(-0.0));
        assertEquals("0.30000000000000004", PythonJson.pythonFloat(0.1 + 0.2));
    }

    @Test
    void structuresUsePythonSeparatorsAndKeepNonAscii() {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", "温度 \"x\"\n");
        m.put("list", List.of(1, 2.0, true));
        m.put("none", null);
        m.put("empty", List.of());
        assertEquals("{\"name\": \"温度 \\\"x\\\"\\n\", \"list\": [1, 2.0, true], \"none\": null, \"empty\": []}",
                PythonJson.dumps(m, null));
        assertEquals("{\n  \"a\": [\n    1,\n    null\n  ]\n}",
                PythonJson.dumps(new LinkedHashMap<>(java.util.Map.of("a", Arrays.asList(1, null))), 2));
    }
}
