"""CLIP image embeddings: the signal that still recognises a photo after edits that defeat hashes and keypoints.

Recolouring, heavy filters, re-framing or re-rendering change too many pixels for PDQ and
too many corners for ORB, yet a CLIP embedding of the copy stays close to the original's.
The model runs through open-clip-torch with a configurable architecture and weights (a
pretrained tag, downloaded in production, or a local checkpoint), and is optional: torch
is imported only when the signal is enabled, and empty weights turn it off.
"""

from __future__ import annotations

import difflib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

DISABLED = ("", "none")
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".npz")
BATCH = 32


@dataclass(frozen=True)
class ClipSpec:
    model_name: str
    weights: str
    config_path: str = ""
    device: str = "cpu"
    threads: int = 0


class ClipUnavailable(RuntimeError):
    """The CLIP signal is configured but cannot be loaded; the message says why."""


class ClipEmbedder:
    name = "clip"

    def __init__(self, model: torch.nn.Module, preprocess: Any, *, model_name: str, dimensions: int, device: str):
        self.model = model
        self.preprocess = preprocess
        self.model_name = model_name
        self.dimensions = dimensions
        self.device = device

    def embed(self, rgb: np.ndarray) -> np.ndarray:
        return self.embed_batch([rgb])[0]

    def embed_batch(self, images: list[np.ndarray]) -> np.ndarray:
        import torch

        out = np.zeros((len(images), self.dimensions), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(images), BATCH):
                chunk = images[start : start + BATCH]
                pixels = torch.stack([self.preprocess(_to_pil(image)) for image in chunk]).to(self.device)
                features = self.model.encode_image(pixels).float().cpu().numpy()
                out[start : start + len(chunk)] = features
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)


def _to_pil(rgb: np.ndarray) -> Image.Image:
    if rgb.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {rgb.dtype}")
    if rgb.ndim == 3 and rgb.shape[2] == 1:
        rgb = rgb[:, :, 0]
    if rgb.ndim == 2:
        return Image.fromarray(rgb).convert("RGB")
    if rgb.ndim == 3 and rgb.shape[2] == 3:
        return Image.fromarray(rgb)
    raise ValueError(f"expected an HxWx3 or HxW image, got shape {rgb.shape}")


def _is_path(weights: str) -> bool:
    separators = os.sep in weights or "/" in weights
    return separators or weights.lower().endswith(CHECKPOINT_SUFFIXES) or Path(weights).exists()


def load_clip(spec: ClipSpec) -> ClipEmbedder | None:
    weights = spec.weights.strip()
    if weights.lower() in DISABLED:
        log.info("CLIP signal disabled: no weights configured (weights=%r)", spec.weights)
        return None

    try:
        import open_clip
        import torch
    except ImportError as exc:
        raise ClipUnavailable(f"CLIP weights are configured but open-clip-torch is not installed: {exc}") from exc

    if spec.config_path:
        if not Path(spec.config_path).exists():
            raise ClipUnavailable(f"CLIP model config path does not exist: {spec.config_path}")
        open_clip.add_model_config(spec.config_path)

    model_name = spec.model_name.strip().replace("/", "-")
    if ":" in model_name:
        raise ClipUnavailable(
            f"CLIP model {model_name!r}: 'hf-hub:' and 'local-dir:' names are not supported, since open_clip ignores "
            "the configured weights for them; give a model config name and a tag or checkpoint file"
        )
    config = open_clip.get_model_config(model_name)
    if config is None:
        close = difflib.get_close_matches(model_name, open_clip.list_models(), n=5)
        hint = f"; close matches: {close}" if close else ""
        where = f" (nor in the configs at {spec.config_path})" if spec.config_path else ""
        raise ClipUnavailable(f"unknown CLIP model {model_name!r}: not an open_clip model config{where}{hint}")

    tags = open_clip.list_pretrained_tags_by_model(model_name)
    force_quick_gelu = False
    if weights.lower().replace("-", "_") in tags:
        force_quick_gelu = bool(open_clip.get_pretrained_cfg(model_name, weights).get("quick_gelu", False))
    elif _is_path(weights):
        if not Path(weights).is_file():
            raise ClipUnavailable(f"CLIP checkpoint file does not exist: {weights}")
    else:
        known = f"known tags: {tags}" if tags else "it has no pretrained tags, give a checkpoint file"
        raise ClipUnavailable(f"CLIP weights {weights!r} are not a pretrained tag for {model_name!r}; {known}")

    if spec.threads > 0:
        torch.set_num_threads(spec.threads)
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=weights, device=spec.device, force_quick_gelu=force_quick_gelu
        )
    except Exception as exc:
        raise ClipUnavailable(f"could not load CLIP model {model_name!r} with weights {weights!r}: {exc}") from exc
    model.eval()

    dimensions = int(config["embed_dim"])
    log.info("CLIP signal loaded: %s with %s, %d dimensions, on %s", model_name, weights, dimensions, spec.device)
    return ClipEmbedder(model, preprocess, model_name=model_name, dimensions=dimensions, device=spec.device)


def cosine_to_score(similarity: float, threshold: float) -> float:
    """Piecewise-linear map of a cosine similarity: -1 -> 0, threshold -> 0.5, 1 -> 1."""
    if not -1.0 < threshold < 1.0:
        raise ValueError(f"threshold must lie strictly between -1 and 1, got {threshold}")
    s = min(1.0, max(-1.0, float(similarity)))
    if s <= threshold:
        return 0.5 * (s + 1.0) / (threshold + 1.0)
    return 0.5 + 0.5 * (s - threshold) / (1.0 - threshold)
