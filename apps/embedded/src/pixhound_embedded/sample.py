"""A synthetic photograph and a small website that shows a stolen copy of it, served on loopback.

Used by the demo and by the end-to-end tests: the photo is generated (no data set is
needed) and the site is a real HTTP server.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def synthetic_photo(seed: int = 7, size: tuple[int, int] = (960, 640)) -> bytes:
    """A photo-like JPEG: smooth gradients, soft shapes and grain, different for each seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.28)
        channel = 127 + 60 * np.sin(fx * x / width * 6.28 + phase) * np.cos(fy * y / height * 6.28)
        channels.append(channel + rng.normal(0, 6, size=(height, width)))
    image = Image.fromarray(np.clip(np.stack(channels, axis=-1), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x0, y0 = int(rng.integers(0, width - 60)), int(rng.integers(0, height - 60))
        x1, y1 = x0 + int(rng.integers(40, width // 2)), y0 + int(rng.integers(40, height // 2))
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def stolen_copy(original: bytes, *, width: int = 480, quality: int = 55) -> bytes:
    """What a thief publishes: resized and re-encoded."""
    with Image.open(io.BytesIO(original)) as image:
        ratio = width / image.width
        copy = image.convert("RGB").resize((width, int(image.height * ratio)), Image.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@dataclass
class Website:
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_website(files: dict[str, tuple[str, bytes]], host: str = "127.0.0.1", port: int = 0) -> Website:
    """Serve `{path: (content_type, body)}` over real HTTP in a background thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            found = files.get(self.path.split("?")[0])
            if found is None:
                self.send_error(404)
                return
            content_type, body = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Website(server, thread)


def agency_site_with_copy(copy: bytes, title: str = "Agence Immobilière du Port") -> dict[str, tuple[str, bytes]]:
    page = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>Appartement T3 avec vue — 320 000 €</p>
<img src="/images/vue-mer.jpg" alt="Vue"><a href="/mentions-legales">Mentions légales</a></body></html>"""
    legal = f"<html><body><h1>Mentions légales</h1><p>{title} SARL</p></body></html>"
    return {
        "/": ("text/html; charset=utf-8", page.encode()),
        "/mentions-legales": ("text/html; charset=utf-8", legal.encode()),
        "/images/vue-mer.jpg": ("image/jpeg", copy),
    }
