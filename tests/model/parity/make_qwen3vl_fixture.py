#!/usr/bin/env python3
"""Reference fixture for tst_qwen3vl_parity: a tiny random Qwen3-VL made and run by Hugging Face
transformers' Qwen3VLForConditionalGeneration, with its image preprocessed by the slow (PIL)
Qwen2VLImageProcessor.

Not part of the build. Run it where PyTorch and transformers (>= 4.57, which has Qwen3-VL) are
installed:

    python3 tests/model/parity/make_qwen3vl_fixture.py tests/model/parity/qwen3vl-fixture

It writes the model with save_pretrained (config.json, model.safetensors), the processor's
preprocessor_config.json, and inputs.safetensors: the test image's RGB bytes, the processor's
pixel_values and image_grid_thw, input_ids (text, an image block, text; the image's tokens
expanded), and the expected logits (float32) and greedy ids. CMake registers tst_qwen3vl_parity
when the folder exists; the test loads the checkpoint with our runtime, requires our
pixel_values to equal the processor's (|d| <= 1e-6) and our logits to equal transformers' on
the same inputs (|d| <= 1e-4), and the same greedy continuation.
"""
import json
import os
import sys

import numpy as np
import torch
import transformers
from PIL import Image
from safetensors.torch import save_file


def test_image(width: int, height: int) -> np.ndarray:
    # The same pattern as the C++ tests' gradient(w, h, seed = 1).
    y, x = np.mgrid[0:height, 0:width]
    out = np.zeros((height, width, 3), dtype=np.uint8)
    for c in range(3):
        out[..., c] = ((x * 4 + y * (5 + c) + 40) % 256).astype(np.uint8)
    return out


def main(out_dir: str) -> None:
    from transformers import Qwen2VLImageProcessor, Qwen3VLConfig, Qwen3VLForConditionalGeneration

    torch.manual_seed(1234)
    vocab = 300
    ids = {"image_token_id": 290, "video_token_id": 291, "vision_start_token_id": 292, "vision_end_token_id": 293}
    config = Qwen3VLConfig(
        text_config=dict(vocab_size=vocab, hidden_size=64, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4,
                         num_key_value_heads=2, head_dim=32, max_position_embeddings=4096, rms_norm_eps=1e-6,
                         rope_theta=5000000.0, rope_scaling={"rope_type": "default", "mrope_section": [6, 5, 5], "mrope_interleaved": True},
                         tie_word_embeddings=False),
        vision_config=dict(depth=3, hidden_size=32, intermediate_size=64, num_heads=2, patch_size=8, spatial_merge_size=2,
                           temporal_patch_size=2, out_hidden_size=64, num_position_embeddings=64, deepstack_visual_indexes=[0, 1],
                           hidden_act="gelu_pytorch_tanh"),
        tie_word_embeddings=False, **ids)
    model = Qwen3VLForConditionalGeneration(config).eval().to(torch.float32)
    # Random init leaves norms at 1 and biases at 0; perturb them so the test covers them too.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or name.endswith("bias"):
                p.add_(0.05 * torch.randn_like(p))
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    processor_config = {"image_processor_type": "Qwen2VLImageProcessor", "patch_size": 8, "temporal_patch_size": 2, "merge_size": 2,
                        "size": {"shortest_edge": 1024, "longest_edge": 65536}, "do_resize": True, "resample": 3, "do_rescale": True,
                        "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
                        "do_convert_rgb": True}
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as f:
        json.dump(processor_config, f, indent=2)
    processor = Qwen2VLImageProcessor(**{k: v for k, v in processor_config.items() if k != "image_processor_type"})
    print("processor size:", processor.size)  # some 4.5x versions replace it; it must be the one above

    rgb = test_image(100, 70)  # resized: 96 x 64 → 12 x 8 patches → 24 tokens
    processed = processor(images=[Image.fromarray(rgb)], return_tensors="pt")
    pixel_values, grid = processed["pixel_values"], processed["image_grid_thw"]
    tokens = int(grid.prod()) // 4
    g = torch.Generator().manual_seed(99)
    prefix = torch.randint(3, 280, (5,), generator=g)
    suffix = torch.randint(3, 280, (12,), generator=g)
    image = torch.cat([torch.tensor([ids["vision_start_token_id"]]), torch.full((tokens,), ids["image_token_id"]),
                       torch.tensor([ids["vision_end_token_id"]])])
    input_ids = torch.cat([prefix, image, suffix]).unsqueeze(0)
    with torch.no_grad():
        logits = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), pixel_values=pixel_values,
                       image_grid_thw=grid).logits
        generated = model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), pixel_values=pixel_values,
                                   image_grid_thw=grid, max_new_tokens=8, do_sample=False, eos_token_id=None, pad_token_id=0)
    save_file({"image_rgb": torch.from_numpy(rgb.copy()).contiguous(), "pixel_values": pixel_values.to(torch.float32).contiguous(),
               "image_grid_thw": grid.to(torch.int64).contiguous(), "input_ids": input_ids.to(torch.int64).contiguous(),
               "logits": logits.to(torch.float32).contiguous(),
               "generated": generated[0, input_ids.shape[1]:].to(torch.int64).contiguous()},
              os.path.join(out_dir, "inputs.safetensors"),
              metadata={"transformers": transformers.__version__, "torch": torch.__version__})
    print(f"wrote {out_dir}: grid {grid.tolist()}, logits {tuple(logits.shape)}, transformers {transformers.__version__}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "qwen3vl-fixture"))
