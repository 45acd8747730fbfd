package ai.appliance.runtime.loading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.arch.UnknownArchitectureException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchitectureRegistryTest {
    @TempDir
    Path dir;

    @Test
    void familiesAreFoundByTheNamesTheirFilesUse() {
        var registry = ArchitectureRegistry.standard();
        assertEquals("llama", registry.forGguf(dir, "qwen2").name());
        assertEquals("llama", registry.forHuggingFace(dir, "LlamaForCausalLM").name());
    }

    @Test
    void anUnknownArchitectureIsAnErrorThatNamesItAndTheSupportedOnes() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["MambaForCausalLM"], "hidden_size": 8}""");
        var e = assertThrows(UnknownArchitectureException.class, () -> ModelFiles.open(dir));
        assertEquals("MambaForCausalLM", e.architecture());
        assertTrue(e.getMessage().contains("'MambaForCausalLM' is not supported") && e.getMessage().contains("Qwen2ForCausalLM"),
                e.getMessage());
    }

    @Test
    void twoFamiliesCannotClaimOneName() {
        var llama = new ai.appliance.runtime.arch.llama.LlamaArchitecture();
        assertThrows(IllegalArgumentException.class, () -> new ArchitectureRegistry(java.util.List.of(llama, llama)));
    }
}
