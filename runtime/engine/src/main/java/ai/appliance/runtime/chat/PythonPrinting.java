package ai.appliance.runtime.chat;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.mode.DefaultExecutionMode;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;

/**
 * Prints {@code {{ ... }}} values as Python does: booleans as {@code True}/{@code False}. (None and undefined are
 * both null in Jinjava; they print empty, which is jinja2's output for undefined values, the common case.)
 */
final class PythonPrinting implements ExecutionMode {

    @Override
    public void prepareContext(Context context) {
        DefaultExecutionMode.instance().prepareContext(context);
        context.setExpressionStrategy(new Strategy());
    }

    private static final class Strategy implements ExpressionStrategy {
        @Override
        public RenderedOutputNode interpretOutput(ExpressionToken token, JinjavaInterpreter interpreter) {
            Object value = interpreter.resolveELExpression(token.getExpr(), token.getLineNumber());
            if (value instanceof Boolean b) return new RenderedOutputNode(b ? "True" : "False");
            return new RenderedOutputNode(interpreter.getAsString(value));
        }
    }
}
