package ai.appliance.runtime.testing;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A fixture model's reference.json: transformers' logits and greedy tokens per prompt and weight variant. */
public record Reference(List<Prompt> prompts) {

    public record Step(int[] topIds, double margin) {
    }

    public record Prompt(int[] inputIds, float[] lastLogits, int[] greedyIds, List<Step> steps, int eosId) {
        /** Greedy steps that must match: those before the first whose margin is below the threshold. */
        public int comparableSteps(double minimumMargin) {
            for (int i = 0; i < steps.size(); i++) if (steps.get(i).margin() < minimumMargin) return i;
            return steps.size();
        }
    }

    public static Reference load(String model, String variant) {
        try {
            var root = new ObjectMapper().readTree(Fixtures.model(model).resolve("reference.json").toFile());
            var prompts = new ArrayList<Prompt>();
            for (var p : root.path(variant).path("prompts")) {
                var steps = new ArrayList<Step>();
                for (var s : p.path("greedy_steps")) steps.add(new Step(ints(s.path("top_ids")), s.path("margin").asDouble()));
                prompts.add(new Prompt(ints(p.path("input_ids")), floats(p.path("last_logits")), ints(p.path("greedy_ids")),
                        steps, p.path("eos_id").asInt()));
            }
            if (prompts.isEmpty()) throw new IllegalStateException("no prompts for " + variant + " in " + model + "/reference.json");
            return new Reference(prompts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        var out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static float[] floats(JsonNode array) {
        var out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }
}
