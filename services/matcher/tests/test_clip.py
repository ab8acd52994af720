"""The CLIP signal through open_clip's real loading path, with a tiny model whose random weights the test saves itself.

No pretrained weights can be downloaded in CI, so a small ViT config is registered with
open_clip, built with seeded random weights and written to checkpoint files; load_clip then
loads those files exactly as it would load a real checkpoint in production.
"""

from __future__ import annotations

import io
import json
import logging

import numpy as np
import pytest
from PIL import Image

from pixhound_matcher.signals.clip import ClipSpec, ClipUnavailable, cosine_to_score, load_clip

open_clip = pytest.importorskip("open_clip")
torch = pytest.importorskip("torch")

MODEL = "pixhound-test-tiny-vit"
DIMENSIONS = 32
CONFIG = {
    "embed_dim": DIMENSIONS,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "patch_size": 16, "head_width": 32},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


def gradient(height: int = 80, width: int = 80) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], axis=-1).astype(
        np.uint8
    )


def shapes(height: int = 96, width: int = 96) -> np.ndarray:
    image = np.full((height, width, 3), 30, dtype=np.uint8)
    y, x = np.mgrid[0:height, 0:width]
    image[(y - height / 2) ** 2 + (x - width / 3) ** 2 < (height / 4) ** 2] = (220, 40, 40)
    image[height // 8 : height // 3, width // 2 : width - 8] = (40, 200, 90)
    image[((x // 8) + (y // 8)) % 2 == 0, 2] = 255
    return image


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("clip")
    config_path = root / f"{MODEL}.json"
    config_path.write_text(json.dumps(CONFIG))
    open_clip.add_model_config(config_path)
    checkpoints, models = {}, {}
    for seed in (1, 2):
        torch.manual_seed(seed)
        model, _, preprocess = open_clip.create_model_and_transforms(MODEL)
        checkpoints[seed] = root / f"tiny-seed{seed}.pt"
        torch.save(model.state_dict(), checkpoints[seed])
        models[seed] = (model.eval(), preprocess)
    bogus = root / "bogus.pt"
    torch.save({"not_a_clip_weight": torch.zeros(3)}, bogus)
    return {"root": root, "config": str(config_path), "checkpoints": checkpoints, "models": models, "bogus": bogus}


def spec(assets: dict, weights: str, **overrides) -> ClipSpec:
    return ClipSpec(model_name=MODEL, weights=weights, config_path=assets["config"], **overrides)


@pytest.fixture(scope="module")
def embedder(assets: dict):
    return load_clip(spec(assets, str(assets["checkpoints"][1]), threads=2))


def test_loads_checkpoint_and_embeds_unit_vectors(embedder) -> None:
    assert embedder is not None
    assert embedder.name == "clip"
    assert embedder.model_name == MODEL
    assert embedder.dimensions == DIMENSIONS
    vector = embedder.embed(gradient())
    assert vector.shape == (DIMENSIONS,)
    assert vector.dtype == np.float32
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(vector, embedder.embed(gradient()))


def test_batch_agrees_with_single_images(embedder) -> None:
    images = [gradient(), shapes(), gradient(120, 60), shapes(70, 140)]
    batch = embedder.embed_batch(images)
    assert batch.shape == (len(images), DIMENSIONS)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    for row, image in zip(batch, images, strict=True):
        np.testing.assert_allclose(row, embedder.embed(image), atol=1e-5)
    assert embedder.embed_batch([]).shape == (0, DIMENSIONS)


def test_embedding_is_the_saved_models(assets: dict, embedder) -> None:
    model, preprocess = assets["models"][1]
    with torch.inference_mode():
        expected = model.encode_image(preprocess(Image.fromarray(shapes())).unsqueeze(0), normalize=True)[0].numpy()
    np.testing.assert_allclose(embedder.embed(shapes()), expected, atol=1e-5)


def test_checkpoint_decides_the_embedding(assets: dict, embedder) -> None:
    again = load_clip(spec(assets, str(assets["checkpoints"][1])))
    other = load_clip(spec(assets, str(assets["checkpoints"][2])))
    image = shapes()
    assert np.array_equal(embedder.embed(image), again.embed(image))
    assert not np.allclose(embedder.embed(image), other.embed(image), atol=1e-3)


def test_grayscale_and_non_square_images(embedder) -> None:
    gray = gradient()[:, :, 0]
    vector = embedder.embed(gray)
    assert vector.shape == (DIMENSIONS,)
    assert np.array_equal(vector, embedder.embed(np.repeat(gray[:, :, None], 3, axis=2)))
    assert np.array_equal(vector, embedder.embed(gray[:, :, None]))
    for image in (gradient(40, 200), shapes(300, 50)):
        assert np.linalg.norm(embedder.embed(image)) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError):
        embedder.embed(np.zeros((8, 8, 4), dtype=np.uint8))
    with pytest.raises(ValueError):
        embedder.embed(np.zeros((8, 8, 3), dtype=np.float32))


def test_decoded_jpeg_stays_close_to_its_original(embedder) -> None:
    original = shapes(128, 160)
    buffer = io.BytesIO()
    Image.fromarray(original).save(buffer, format="JPEG", quality=70)
    decoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    a, b, unrelated = embedder.embed_batch([original, decoded, 255 - gradient(128, 160)])
    assert float(a @ b) > float(a @ unrelated)


@pytest.mark.parametrize("weights", ["", "none", " NONE "])
def test_disabled_without_weights(assets: dict, weights: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pixhound_matcher.signals.clip"):
        assert load_clip(spec(assets, weights)) is None
    assert "CLIP signal disabled" in caplog.text


def test_missing_checkpoint(assets: dict) -> None:
    missing = assets["root"] / "absent.pt"
    with pytest.raises(ClipUnavailable, match="does not exist") as raised:
        load_clip(spec(assets, str(missing)))
    assert str(missing) in str(raised.value)


def test_checkpoint_that_does_not_fit_the_model(assets: dict) -> None:
    with pytest.raises(ClipUnavailable, match="could not load"):
        load_clip(spec(assets, str(assets["bogus"])))


def test_unknown_tag_is_refused_before_any_download(monkeypatch: pytest.MonkeyPatch, assets: dict) -> None:
    def no_download(*args, **kwargs):
        raise AssertionError("load_clip must not try to create (and download) a model for an unknown tag")

    monkeypatch.setattr(open_clip, "create_model_and_transforms", no_download)
    with pytest.raises(ClipUnavailable, match="laion2b_s34b_b79k"):
        load_clip(ClipSpec(model_name="ViT-B-32", weights="no_such_tag"))
    with pytest.raises(ClipUnavailable, match="no pretrained tags"):
        load_clip(spec(assets, "openai"))


def test_unknown_model_and_missing_config(assets: dict) -> None:
    with pytest.raises(ClipUnavailable, match="unknown CLIP model"):
        load_clip(ClipSpec(model_name="ViT-B-33", weights=str(assets["checkpoints"][1])))
    with pytest.raises(ClipUnavailable, match="not supported"):
        load_clip(ClipSpec(model_name="hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K", weights="openai"))
    missing = assets["root"] / "nowhere.json"
    with pytest.raises(ClipUnavailable, match="nowhere.json"):
        load_clip(ClipSpec(model_name=MODEL, weights=str(assets["checkpoints"][1]), config_path=str(missing)))


def test_cosine_to_score() -> None:
    threshold = 0.82
    assert cosine_to_score(threshold, threshold) == pytest.approx(0.5)
    scores = [cosine_to_score(s, threshold) for s in np.linspace(-1.2, 1.2, 241)]
    assert all(b >= a for a, b in zip(scores, scores[1:], strict=False))
    assert min(scores) == 0.0
    assert max(scores) == 1.0
    assert cosine_to_score(0.9, threshold) > 0.5 > cosine_to_score(0.7, threshold)
    with pytest.raises(ValueError):
        cosine_to_score(0.5, 1.0)
