package ai.appliance.runtime.cli;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufMetadataEntry;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.safetensors.SafetensorsFile;
import ai.appliance.runtime.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance inspect}: metadata and tensor table of a GGUF file or checkpoint folder. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the metadata (long arrays summarised) and tensors of a GGUF file, a .safetensors file or an HF checkpoint folder.")
public final class InspectCommand implements Callable<Integer> {
    /** Arrays longer than this are shown as their length and first elements. */
    static final int ARRAY_PREVIEW = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "GGUF file, .safetensors file or HF checkpoint folder")
    Path model;

    @Option(names = "--json", description = "machine-readable JSON instead of text")
    boolean json;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try {
            Map<String, Object> report = Files.isDirectory(model) ? checkpointReport()
                    : model.getFileName().toString().endsWith(".safetensors") ? safetensorsReport() : ggufReport();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            } else {
                printText(report);
            }
            out.flush();
            return 0;
        } catch (ModelFormatException e) {
            spec.commandLine().getErr().println("inspect: " + e.getMessage());
            return 1;
        } catch (JsonProcessingException e) {
            spec.commandLine().getErr().println("inspect: cannot render JSON: " + e.getOriginalMessage());
            return 1;
        }
    }

    private Map<String, Object> ggufReport() {
        try (var gguf = GgufFile.open(model)) {
            var report = new LinkedHashMap<String, Object>();
            report.put("path", model.toString());
            report.put("format", "GGUF v" + gguf.version());
            report.put("alignment", gguf.alignment());
            var metadata = new LinkedHashMap<String, Object>();
            for (var e : gguf.metadataEntries().values()) metadata.put(e.key(), describe(e));
            report.put("metadata", metadata);
            var summary = modelSummary();
            if (summary != null) report.put("model", summary);
            report.put("tensors", tensorRows(gguf.tensors().values()));
            return report;
        }
    }

    /** The hyper-parameters as the engine reads them (KV bytes per token included), or null for a file it cannot run. */
    private Map<String, Object> modelSummary() {
        try (var files = EncryptedModels.open(model)) {
            var summary = new LinkedHashMap<String, Object>(files.config().describe());
            summary.put("decodeBytesPerToken", files.weights().decodeBytesPerToken());
            return summary;
        } catch (ModelFormatException e) {
            return null;
        }
    }

    private Map<String, Object> safetensorsReport() {
        try (var file = SafetensorsFile.open(model)) {
            var report = new LinkedHashMap<String, Object>();
            report.put("path", model.toString());
            report.put("format", "safetensors");
            report.put("metadata", new LinkedHashMap<String, Object>(file.metadata()));
            report.put("tensors", tensorRows(file.tensors().values()));
            return report;
        }
    }

    private Map<String, Object> checkpointReport() {
        try (var files = EncryptedModels.open(model)) {
            var report = new LinkedHashMap<String, Object>();
            report.put("path", model.toString());
            report.put("format", "Hugging Face checkpoint");
            var config = files.config().describe();
            report.put("metadata", config);
            report.put("tensors", tensorRows(files.checkpoint().tensors().values()));
            return report;
        }
    }

    private static List<Map<String, Object>> tensorRows(Iterable<Tensor> tensors) {
        var rows = new ArrayList<Map<String, Object>>();
        for (var t : tensors) {
            var row = new LinkedHashMap<String, Object>();
            row.put("name", t.name());
            row.put("type", t.type().toString());
            row.put("shape", t.shape());
            row.put("bytes", t.data().byteSize());
            rows.add(row);
        }
        return rows;
    }

    /** A metadata value for display: scalars as they are, arrays up to {@link #ARRAY_PREVIEW} elements in full, longer ones summarised. */
    static Map<String, Object> describe(GgufMetadataEntry e) {
        var d = new LinkedHashMap<String, Object>();
        d.put("type", e.elementType() == null ? e.type().toString() : "ARRAY of " + e.elementType());
        var v = e.value();
        if (v instanceof List<?> || (v != null && v.getClass().isArray())) {
            int length = v instanceof List<?> l ? l.size() : Array.getLength(v);
            d.put("length", length);
            var preview = new ArrayList<Object>();
            for (int i = 0; i < Math.min(length, ARRAY_PREVIEW); i++) preview.add(v instanceof List<?> l ? l.get(i) : Array.get(v, i));
            d.put(length > ARRAY_PREVIEW ? "first" : "value", preview);
        } else if (v instanceof String s && s.length() > 200) {
            d.put("length", s.length());
            d.put("first", s.substring(0, 200));
        } else {
            d.put("value", v);
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private void printText(Map<String, Object> report) {
        var out = spec.commandLine().getOut();
        out.println(report.get("path") + ": " + report.get("format")
                + (report.containsKey("alignment") ? ", alignment " + report.get("alignment") : ""));
        out.println();
        out.println("Metadata:");
        var metadata = (Map<String, Object>) report.get("metadata");
        int width = metadata.keySet().stream().mapToInt(String::length).max().orElse(10);
        for (var e : metadata.entrySet()) {
            String shown;
            if (e.getValue() instanceof Map<?, ?> m) {
                if (m.containsKey("first")) {
                    var unit = m.get("first") instanceof String ? " characters] " : " items] ";
                    shown = "[" + m.get("type") + ", " + m.get("length") + unit + render(m.get("first")) + " ...";
                } else {
                    shown = render(m.get("value")) + "  (" + m.get("type") + ")";
                }
            } else {
                shown = String.valueOf(e.getValue());
            }
            out.printf("  %-" + width + "s  %s%n", e.getKey(), shown);
        }
        out.println();
        var model = (Map<String, Object>) report.get("model");
        if (model != null) {
            out.println("As the engine reads it:");
            int modelWidth = model.keySet().stream().mapToInt(String::length).max().orElse(10);
            for (var e : model.entrySet()) out.printf("  %-" + modelWidth + "s  %s%n", e.getKey(), e.getValue());
            out.println();
        }
        var tensors = (List<Map<String, Object>>) report.get("tensors");
        out.println("Tensors (" + tensors.size() + "):");
        int nameWidth = tensors.stream().mapToInt(t -> ((String) t.get("name")).length()).max().orElse(10);
        long total = 0;
        for (var t : tensors) {
            out.printf("  %-" + nameWidth + "s  %-5s %-22s %,14d bytes%n", t.get("name"), t.get("type"),
                    Arrays.toString((long[]) t.get("shape")), (Long) t.get("bytes"));
            total += (Long) t.get("bytes");
        }
        out.printf("  total %,d bytes%n", total);
    }

    private static String render(Object v) {
        if (v instanceof String s) return "\"" + s.replace("\n", "\\n") + "\"";
        if (v instanceof List<?> l) {
            var parts = new ArrayList<String>();
            for (var x : l) parts.add(render(x));
            return "[" + String.join(", ", parts) + "]";
        }
        return String.valueOf(v);
    }
}
