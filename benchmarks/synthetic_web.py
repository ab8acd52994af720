"""A synthetic web of many hosts on one loopback port, for the crawler benchmark.

Every host name `h<N>.<domain>` is a small site: a home page, `pages` pages linked in a
chain with a few cross links, an image on every tenth page and a robots.txt. Virtual
hosting by the Host header lets one process serve thousands of "sites" fast enough that
the crawler, not the server, is what the benchmark measures.
"""

from __future__ import annotations

import argparse
import asyncio
import io

from PIL import Image

ROBOTS = b"User-agent: *\nAllow: /\n"


def _image(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), ((seed * 53) % 255, (seed * 97) % 255, (seed * 31) % 255)).save(
        buffer, "JPEG", quality=80
    )
    return buffer.getvalue()


IMAGES = [_image(seed) for seed in range(8)]


def page(index: int, pages: int) -> bytes:
    links = {index + 1, index + 2, (index * 7) % pages + 1}
    anchors = "".join(f'<a href="/p{n}">page {n}</a> ' for n in sorted(links) if 1 <= n <= pages)
    image = f'<img src="/img/{index % len(IMAGES)}.jpg" alt="photo">' if index % 10 == 0 else ""
    return (
        f'<!doctype html><html lang="fr"><head><title>Page {index}</title></head>'
        f"<body><h1>Annonce {index}</h1><p>Prix : {index * 1000} €</p>{image}{anchors}</body></html>"
    ).encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pages: int) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            path = request_line.split(" ")[1] if " " in request_line else "/"
            body, content_type, status = b"not found", "text/plain", "404 Not Found"
            if path == "/robots.txt":
                body, content_type, status = ROBOTS, "text/plain", "200 OK"
            elif path == "/":
                body, content_type, status = page(0, pages), "text/html; charset=utf-8", "200 OK"
            elif path.startswith("/p") and path[2:].isdigit() and 1 <= int(path[2:]) <= pages:
                body, content_type, status = page(int(path[2:]), pages), "text/html; charset=utf-8", "200 OK"
            elif path.startswith("/img/"):
                index = int(path[5:].split(".")[0]) % len(IMAGES)
                body, content_type, status = IMAGES[index], "image/jpeg", "200 OK"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(port: int, pages: int) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, pages), "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", type=int, default=100, help="pages per host")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.pages))


if __name__ == "__main__":
    main()
