// Drives structured output and tool calls with the official OpenAI Node client and prints everything it received
// as one JSON object for OpenAiClientTest to check. The schema comes from APPLIANCE_SCHEMA (the test's, so both
// sides validate against the same one).
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.APPLIANCE_BASE_URL + "/v1", apiKey: process.env.APPLIANCE_API_KEY ?? "none" });
const model = process.env.APPLIANCE_MODEL;
const schema = JSON.parse(process.env.APPLIANCE_SCHEMA);
const messages = [{ role: "user", content: "Report the sensor reading as JSON" }];
const tools = [{ type: "function", function: { name: "report_reading", description: "Stores a reading", parameters: schema, strict: true } }];
// The demo vocabulary spells DeepSeek's tool-call markers byte by byte: a call takes about 200 tokens.
const sampling = { temperature: 1, seed: 7, max_tokens: 300 };

const out = {};
out.jsonSchema = await client.chat.completions.create({ model, messages, ...sampling,
  response_format: { type: "json_schema", json_schema: { name: "reading", schema, strict: true } } });
// The client's own helper parses the content (and would throw on invalid JSON).
const parsed = await client.beta.chat.completions.parse({ model, messages, ...sampling,
  response_format: { type: "json_schema", json_schema: { name: "reading", schema, strict: true } } });
out.parsed = parsed.choices[0].message.parsed;
out.parsedContent = parsed.choices[0].message.content;
out.jsonObject = await client.chat.completions.create({ model, messages, ...sampling, max_tokens: 24,
  response_format: { type: "json_object" } });

out.toolCall = await client.chat.completions.create({ model, messages, ...sampling, tools,
  tool_choice: { type: "function", function: { name: "report_reading" } } });
// Streaming through the client's helper, which assembles tool-call deltas by index and parses strict arguments.
const stream = client.beta.chat.completions.stream({ model, messages, ...sampling, tools, tool_choice: "required",
  parallel_tool_calls: false });
out.toolChunks = [];
stream.on("chunk", (chunk) => out.toolChunks.push(chunk));
out.toolStream = await stream.finalChatCompletion();

// The call and its result go back to the model.
const call = out.toolCall.choices[0].message;
out.followUp = await client.chat.completions.create({ model, tools, max_tokens: 4, temperature: 0,
  messages: [...messages, call, { role: "tool", tool_call_id: call.tool_calls[0].id, content: "stored" }] });

try {
  await client.chat.completions.create({ model, messages, max_tokens: 4,
    response_format: { type: "json_schema", json_schema: { name: "zip", schema: { type: "string", pattern: "^[0-9]+$" } } } });
  out.error = null;
} catch (e) {
  out.error = { status: e.status, param: e.param, message: e.message };
}
process.stdout.write(JSON.stringify(out));
