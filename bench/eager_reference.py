#!/usr/bin/env python3
"""Reference for `sdrt bench model`: PyTorch's own eager decode loop with a KV cache on the
same model folder, so the runtime's decode speed has something to be set against.

The text decoder of a Hugging Face LLaVA folder (Llama/Mistral: RMSNorm, rotary positions,
grouped-query attention, SwiGLU), written plainly the way an eager Python loop does it: the
cache grows by torch.cat each step and the key/value heads are repeated for the query heads.
Weights come from model.safetensors (read here; no extra package), in fp32. The prompt is
text of the length the runtime's benchmark uses (its image tokens counted as text: decode
attends over the same number of positions). Greedy decoding; best of `--repeats` after a
warm-up, as the runtime's benchmark does.

Needs Debian's python3-torch only. Not used by the tests.

  python3 bench/eager_reference.py MODEL_DIR [--batch 1,8] [--threads N] [--prompt-tokens N]
                                   [--decode-tokens N] [--repeats N]

Prints one JSON line: {"runtime": "pytorch-eager", "batches": [{"batch": 1,
"decode_tokens_per_s": ...}, ...], ...}. OpenBLAS's threads follow OPENBLAS_NUM_THREADS.
"""

import argparse
import json
import os
import struct
import sys
import time

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        t = torch.frombuffer(bytearray(data[start:end]), dtype=DTYPES[meta["dtype"]])
        out[name] = t.reshape(meta["shape"]).to(torch.float32)
    return out


def weights_of(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    w = {}
    for f in files:
        w.update(read_safetensors(os.path.join(folder, f)))
    # Both Hugging Face layouts: "language_model.model.layers..." and "model.language_model.layers...".
    text = {}
    for name, t in w.items():
        for prefix in ("language_model.model.", "model.language_model."):
            if name.startswith(prefix):
                text[name[len(prefix):]] = t
        if name in ("language_model.lm_head.weight", "lm_head.weight"):
            text["lm_head.weight"] = t
    if "lm_head.weight" not in text:
        text["lm_head.weight"] = text["embed_tokens.weight"]
    return text


class Decoder:
    def __init__(self, w, c):
        self.w = w
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c["hidden_size"] // self.heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.theta = c.get("rope_theta", 10000.0)
        self.inv_freq = 1.0 / (self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))

    def norm(self, x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def rotary(self, x, positions):
        freqs = positions[:, :, None].float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * cos + rotated * sin

    def forward(self, ids, positions, cache):
        w = self.w
        h = torch.nn.functional.embedding(ids, w["embed_tokens.weight"])
        B, T, _ = h.shape
        past = cache[0][0].shape[2] if cache[0] is not None else 0
        mask = None
        if T > 1:
            mask = torch.full((T, past + T), float("-inf")).triu(past + 1)
        for i in range(self.layers):
            p = "layers.%d." % i
            x = self.norm(h, w[p + "input_layernorm.weight"])
            q = (x @ w[p + "self_attn.q_proj.weight"].T).view(B, T, self.heads, self.head_dim).transpose(1, 2)
            k = (x @ w[p + "self_attn.k_proj.weight"].T).view(B, T, self.kv_heads, self.head_dim).transpose(1, 2)
            v = (x @ w[p + "self_attn.v_proj.weight"].T).view(B, T, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = self.rotary(q, positions), self.rotary(k, positions)
            if cache[i] is not None:
                k = torch.cat((cache[i][0], k), dim=2)
                v = torch.cat((cache[i][1], v), dim=2)
            cache[i] = (k, v)
            group = self.heads // self.kv_heads
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
            scores = q @ k.transpose(-2, -1) / (self.head_dim ** 0.5)
            if mask is not None:
                scores = scores + mask
            a = torch.softmax(scores, dim=-1) @ v
            h = h + a.transpose(1, 2).reshape(B, T, -1) @ w[p + "self_attn.o_proj.weight"].T
            x = self.norm(h, w[p + "post_attention_layernorm.weight"])
            gate = torch.nn.functional.silu(x @ w[p + "mlp.gate_proj.weight"].T)
            h = h + (gate * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        h = self.norm(h, w["norm.weight"])
        return h[:, -1] @ w["lm_head.weight"].T


def decode_rate(model, batch, prompt_tokens, decode_tokens, vocab):
    ids = (torch.arange(prompt_tokens) * 7 + 3) % (vocab - 10) + 5
    ids = ids.repeat(batch, 1)
    cache = [None] * model.layers
    with torch.inference_mode():
        logits = model.forward(ids, torch.arange(prompt_tokens).repeat(batch, 1), cache)
        token = logits.argmax(-1, keepdim=True)
        start = time.perf_counter()
        for step in range(decode_tokens):
            pos = torch.full((batch, 1), prompt_tokens + step)
            logits = model.forward(token, pos, cache)
            token = logits.argmax(-1, keepdim=True)
        seconds = time.perf_counter() - start
    return batch * decode_tokens / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--batch", default="1,8")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--prompt-tokens", type=int, default=336, help="positions before decoding (sdrt bench model: image + text)")
    ap.add_argument("--decode-tokens", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    config = json.load(open(os.path.join(a.model, "config.json")))
    text = config.get("text_config", config)
    model = Decoder(weights_of(a.model), text)
    rows = []
    for b in [int(x) for x in a.batch.split(",")]:
        decode_rate(model, b, a.prompt_tokens, 4, text["vocab_size"])  # warm-up
        best = max(decode_rate(model, b, a.prompt_tokens, a.decode_tokens, text["vocab_size"]) for _ in range(a.repeats))
        rows.append({"batch": b, "decode_tokens_per_s": round(best, 2)})
    print(json.dumps({"runtime": "pytorch-eager", "torch": torch.__version__, "model": a.model, "threads": torch.get_num_threads(),
                      "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"), "prompt_positions": a.prompt_tokens,
                      "decode_tokens": a.decode_tokens, "batches": rows}))


if __name__ == "__main__":
    sys.exit(main())
