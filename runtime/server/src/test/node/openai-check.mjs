// Drives the appliance with the official OpenAI Node client and prints every response it received as JSON
// (one object: {chat, chatStream, completion, completionStream, chatLogprobs, ...}) for OpenAiClientTest to check.
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.APPLIANCE_BASE_URL + "/v1", apiKey: process.env.APPLIANCE_API_KEY ?? "none" });
const model = process.env.APPLIANCE_MODEL;
const messages = [{ role: "user", content: "Hello from the OpenAI client" }];

const out = {};
out.models = await client.models.list();
out.models = out.models.data;
out.chat = await client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0 });
out.chatStream = [];
const stream = await client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0, stream: true,
  stream_options: { include_usage: true } });
for await (const chunk of stream) out.chatStream.push(chunk);
out.completion = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 8, temperature: 0 });
out.completionStream = [];
const cstream = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 8, temperature: 0, stream: true });
for await (const chunk of cstream) out.completionStream.push(chunk);
out.chatLogprobs = await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0, logprobs: true,
  top_logprobs: 3 });
out.chatLogprobsStream = [];
const lstream = await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0, logprobs: true,
  top_logprobs: 3, stream: true });
for await (const chunk of lstream) out.chatLogprobsStream.push(chunk);
out.completionLogprobs = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 6, temperature: 0,
  logprobs: 2 });
try {
  await client.chat.completions.create({ model: "no-such-model", messages, max_tokens: 4 });
  out.error = null;
} catch (e) {
  out.error = { status: e.status, type: e.error?.type ?? e.type, code: e.code };
}
process.stdout.write(JSON.stringify(out));
