package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** str methods called from templates print what CPython 3.11 prints (expected values taken from it). */
class PythonMethodsTest {

    private static String render(String expression, String content) {
        var template = new ChatTemplate("{{ " + expression + " }}", "", "");
        return template.render(List.of(ChatMessage.user(content)), false);
    }

    @Test
    void splitlinesDropsTheFinalBreakAndHandlesCrLf() {
        assertEquals("a|b", render("messages[0].content.splitlines() | join('|')", "a\nb\n"));
        assertEquals("a||b", render("messages[0].content.splitlines() | join('|')", "a\r\n\nb"));
        assertEquals("0", render("messages[0].content.splitlines() | length", ""));
        assertEquals("x|y", render("messages[0].content.splitlines() | join('|')", "x\u2028y"));
    }

    @Test
    void whitespaceIncludesNoBreakSpacesLikePython() {
        assertEquals("a|b|c", render("messages[0].content.split() | join('|')", " a\u00a0b  c "));
        assertEquals("a\u00a0b  c", render("messages[0].content.strip()", " a\u00a0b  c \u3000"));
        assertEquals("x-y", render("messages[0].content.split('</think>', 1) | join('-')", "x</think>y"));
        assertEquals("a,b</think>c", render("messages[0].content.split('</think>', 1) | join(',')", "a</think>b</think>c"));
    }
}
