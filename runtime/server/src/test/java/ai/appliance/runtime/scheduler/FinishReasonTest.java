package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.CONTEXT_LENGTH;
import static ai.appliance.runtime.generation.FinishReason.EOS;
import static ai.appliance.runtime.generation.FinishReason.MAX_TOKENS;
import static ai.appliance.runtime.generation.FinishReason.STOP_STRING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The names clients (OpenAI finish_reason) and the audit log see for each way a request ends. */
class FinishReasonTest {

    @Test
    void completedRequestsReportTheEnginesStopOrLength() {
        for (var reason : ai.appliance.runtime.generation.FinishReason.values()) {
            var completed = new FinishReason.Completed(reason);
            assertEquals(reason.apiName(), completed.openAiName(), reason.name());
            assertEquals(reason.apiName(), completed.auditName(), reason.name());
        }
        assertEquals("stop", new FinishReason.Completed(EOS).openAiName());
        assertEquals("stop", new FinishReason.Completed(STOP_STRING).openAiName());
        assertEquals("length", new FinishReason.Completed(MAX_TOKENS).openAiName());
        assertEquals("length", new FinishReason.Completed(CONTEXT_LENGTH).openAiName());
    }

    @Test
    void abortedRequestsReportLengthToClientsAndTheirCauseToTheAuditLog() {
        assertEquals("length", FinishReason.Aborted.CANCELLED.openAiName());
        assertEquals("length", FinishReason.Aborted.DEADLINE.openAiName());
        assertEquals("length", FinishReason.Aborted.SHUTDOWN.openAiName());
        assertEquals("cancelled", FinishReason.Aborted.CANCELLED.auditName());
        assertEquals("timeout", FinishReason.Aborted.DEADLINE.auditName());
        assertEquals("shutdown", FinishReason.Aborted.SHUTDOWN.auditName());
    }

    @Test
    void anAnswerThatCalledToolsReportsToolCallsToClientsAndTheAuditLog() {
        assertEquals("tool_calls", new FinishReason.ToolCalls().openAiName());
        assertEquals("tool_calls", new FinishReason.ToolCalls().auditName());
    }
}
