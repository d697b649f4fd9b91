// The reference side of tst_hf_tokenizer: Hugging Face's own JavaScript tokenizer
// (@huggingface/tokenizers) on a tokenizer folder, answering the same JSON Lines protocol as
// `sdrt model tokenize|detokenize DIR --jsonl`.
//   node reference.mjs tokenize DIR     stdin {"text", "add_special_tokens"}  stdout {"ids"}
//   node reference.mjs detokenize DIR   stdin {"ids"}                         stdout {"text"}
//   node reference.mjs bench DIR FILE   encodes FILE once (after a warm-up) and prints MB/s and tokens/s
//   node reference.mjs chat-template DIR  stdin {"messages", "add_generation_prompt", "extra"}  stdout {"text"} or {"error"}
//                                       (@huggingface/jinja, with the context `sdrt model chat-template` builds)
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";

const [mode, dir, file] = process.argv.slice(2);
let config = {};
try {
  config = JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, "utf8"));
} catch {
  config = {};
}
const tokenizer = mode === "chat-template" ? null : new Tokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, "utf8")), config);

function chatTemplateText() {
  if (existsSync(`${dir}/chat_template.jinja`)) return readFileSync(`${dir}/chat_template.jinja`, "utf8");
  for (const f of ["chat_template.json", "tokenizer_config.json"]) {
    if (!existsSync(`${dir}/${f}`)) continue;
    const t = JSON.parse(readFileSync(`${dir}/${f}`, "utf8")).chat_template;
    if (typeof t === "string") return t;
    if (Array.isArray(t)) return (t.find((e) => e.name === "default") ?? t[0]).template;
  }
  throw new Error("no chat template");
}

if (mode === "bench") {
  const text = readFileSync(file, "utf8");
  tokenizer.encode(text.slice(0, 100000), { add_special_tokens: false });
  const t0 = process.hrtime.bigint();
  const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const bytes = Buffer.byteLength(text, "utf8");
  console.log(JSON.stringify({ bytes, tokens: ids.length, seconds, mb_per_s: bytes / 1e6 / seconds, tokens_per_s: ids.length / seconds }));
} else {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    let out;
    try {
      const input = JSON.parse(line);
      if (mode === "chat-template") {
        const template = new Template(chatTemplateText());
        const context = {};
        for (const key of ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"]) {
          const v = config[key];
          if (typeof v === "string") context[key] = v;
          else if (v && typeof v === "object" && "content" in v) context[key] = v.content;
        }
        Object.assign(context, { messages: input.messages, add_generation_prompt: input.add_generation_prompt ?? false }, input.extra ?? {});
        out = { text: template.render(context) };
      } else if (mode === "tokenize") {
        out = { ids: tokenizer.encode(input.text, { add_special_tokens: input.add_special_tokens ?? true }).ids };
      } else {
        out = { text: tokenizer.decode(input.ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) };
      }
    } catch (e) {
      out = { error: String(e) };
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}
