package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReasoningSplitterTest {
    static final String R1_PROMPT = "<｜begin▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜><think>\n";

    @Test
    void r1PromptStartsGenerationInsideReasoning() {
        var s = ReasoningSplitter.forPrompt(R1_PROMPT);
        assertTrue(s.inReasoning());
        var d = ReasoningSplitter.split(R1_PROMPT, "add them\n</think>\n\n4");
        assertEquals("add them\n", d.reasoning());
        assertEquals("\n\n4", d.content());
    }

    @Test
    void closingTagCutAcrossChunksIsHeldBack() {
        var s = ReasoningSplitter.forPrompt(R1_PROMPT);
        assertEquals(new ReasoningSplitter.Delta("step", ""), s.push("step</th"));
        assertEquals(new ReasoningSplitter.Delta("", "ok"), s.push("ink>ok"));
        assertFalse(s.inReasoning());
        assertEquals(new ReasoningSplitter.Delta("", " more"), s.push(" more"));
    }

    @Test
    void textThatOnlyLooksLikeATagPrefixIsReleased() {
        var s = ReasoningSplitter.forPrompt(R1_PROMPT);
        assertEquals("a", s.push("a</").reasoning());
        assertEquals("</b", s.push("b").reasoning());
        assertTrue(s.push("</thi").isEmpty());
        assertEquals(new ReasoningSplitter.Delta("</thi", ""), s.finish());
    }

    @Test
    void anyChunkingGivesTheSameSplit() {
        String output = "<think>\nwhy </thin not\n</think>\n\nanswer </think> kept";
        var whole = ReasoningSplitter.split("<｜User｜>q<｜Assistant｜>", output);
        assertEquals("\nwhy </thin not\n", whole.reasoning());
        assertEquals("\n\nanswer </think> kept", whole.content());
        var s = ReasoningSplitter.forPrompt("<｜User｜>q<｜Assistant｜>");
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        for (int i = 0; i < output.length(); i++) {
            var d = s.push(output.substring(i, i + 1));
            reasoning.append(d.reasoning());
            content.append(d.content());
        }
        var d = s.finish();
        assertEquals(whole.reasoning(), reasoning.append(d.reasoning()).toString());
        assertEquals(whole.content(), content.append(d.content()).toString());
    }

    @Test
    void outputWithoutThinkingIsAllAnswer() {
        var d = ReasoningSplitter.split("<｜User｜>q<｜Assistant｜>", "  plain <think> later");
        assertEquals("", d.reasoning());
        assertEquals("  plain <think> later", d.content());
    }

    @Test
    void onlyAPromptEndingInAnOpenThinkStartsInReasoning() {
        assertFalse(ReasoningSplitter.forPrompt("<think>x</think>done").inReasoning());
        assertFalse(ReasoningSplitter.forPrompt("<｜User｜>what is <think> for?<｜Assistant｜>").inReasoning());
        assertTrue(ReasoningSplitter.forPrompt("<｜User｜>q<｜Assistant｜><think>\n").inReasoning());
    }

    @Test
    void unfinishedReasoningIsReturnedAsReasoningAtTheEnd() {
        var d = ReasoningSplitter.split(R1_PROMPT, "still thinking </thi");
        assertEquals("still thinking </thi", d.reasoning());
        assertEquals("", d.content());
    }
}
