package ai.appliance.runtime.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.TagNode;

/**
 * transformers' {@code {% generation %}...{% endgeneration %}} marks assistant text for training masks; when
 * rendering a prompt it only outputs its body, which is all this tag does.
 */
final class GenerationTag implements Tag {
    @Override
    public String getName() {
        return "generation";
    }

    @Override
    public String getEndTagName() {
        return "endgeneration";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        var out = new StringBuilder();
        for (var child : tagNode.getChildren()) out.append(child.render(interpreter).getValue());
        return out.toString();
    }
}
