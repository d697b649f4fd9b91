#!/usr/bin/env python3
"""Reference fixture for tst_model_parity: a tiny random LLaVA made and run by Hugging Face
transformers' LlavaForConditionalGeneration.

This is the project's only Python and is not part of the build. Run it where PyTorch and
transformers (>= 4.45, which expands image tokens in the input ids) are installed:

    python3 tests/model/parity/make_fixture.py tests/model/parity/fixture

It writes the model with save_pretrained (config.json, model.safetensors), a CLIP
preprocessor_config.json, and inputs.safetensors with fixed input_ids, pixel_values and the
expected logits (float32). CMake registers tst_model_parity when the folder exists; the test
loads the checkpoint with our runtime and requires max |logits - expected| <= 1e-4.
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration


def main(out_dir: str) -> None:
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    if (major, minor) < (4, 45):
        sys.exit("transformers >= 4.45 is needed (image tokens expanded in input_ids)")
    torch.manual_seed(1234)
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2,
                              image_size=32, patch_size=8, projection_dim=32, hidden_act="quick_gelu")
    text = LlamaConfig(vocab_size=160, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                       rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=False)
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_index=150, vision_feature_layer=-2,
                         vision_feature_select_strategy="default", projector_hidden_act="gelu",
                         image_seq_length=16)
    model = LlavaForConditionalGeneration(config).eval().to(torch.float32)
    # Random init leaves norms at 1 and biases at 0; perturb them so the test covers them too.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or "layrnorm" in name or name.endswith("bias") or "class_embedding" in name:
                p.add_(0.05 * torch.randn_like(p))
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as f:
        json.dump({"image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": 32},
                   "resample": 3, "do_center_crop": True, "crop_size": {"height": 32, "width": 32},
                   "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
                   "image_mean": [0.48145466, 0.4578275, 0.40821073],
                   "image_std": [0.26862954, 0.26130258, 0.27577711]}, f, indent=2)

    g = torch.Generator().manual_seed(99)
    prefix = torch.tensor([1, 17, 42, 5])
    image = torch.full((16,), 150)
    suffix = torch.randint(3, 140, (20,), generator=g)
    input_ids = torch.cat([prefix, image, suffix]).unsqueeze(0)
    pixel_values = torch.randn(1, 3, 32, 32, generator=g)
    with torch.no_grad():
        logits = model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=torch.ones_like(input_ids)).logits
    save_file({"input_ids": input_ids.to(torch.int64).contiguous(), "pixel_values": pixel_values.contiguous(),
               "logits": logits.to(torch.float32).contiguous()},
              os.path.join(out_dir, "inputs.safetensors"),
              metadata={"transformers": transformers.__version__, "torch": torch.__version__})
    print(f"wrote {out_dir}: logits {tuple(logits.shape)}, transformers {transformers.__version__}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "fixture"))
