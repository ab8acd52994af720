"""Pure crawling rules: URL normalisation, which addresses may be reached, what a page shows and links to."""

from __future__ import annotations

import ipaddress

import pytest

from pixhound_crawler.domain import RefusedAddress, check_address, extract_page, normalise_url

# --- normalise_url -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/Path/To", "http://example.com/Path/To"),
        ("https://EXAMPLE.com", "https://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/p?q=1", "https://example.com:8443/p?q=1"),
        ("http://example.com/a#section", "http://example.com/a"),
        ("http://example.com/a?x=1&y=2#frag", "http://example.com/a?x=1&y=2"),
        ("  http://example.com/padded  ", "http://example.com/padded"),
        ("http://user:secret@example.com/x", "http://example.com/x"),
    ],
)
def test_normalise_url_canonical_form(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    ("relative", "base", "expected"),
    [
        ("../b.jpg?x=1#f", "http://e.com/a/c/d", "http://e.com/a/b.jpg?x=1"),
        ("/root.jpg", "https://e.com/deep/page.html", "https://e.com/root.jpg"),
        ("img.jpg", "https://e.com/dir/page.html", "https://e.com/dir/img.jpg"),
        ("//cdn.example.com/a.jpg", "https://e.com/", "https://cdn.example.com/a.jpg"),
        ("HTTP://Other.COM:80/", "https://e.com/", "http://other.com/"),
    ],
)
def test_normalise_url_resolves_relative_urls(relative: str, base: str, expected: str) -> None:
    assert normalise_url(relative, base) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "ftp://example.com/file",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "",
        "not a url",
        "http://",
        "http://example.com:99999/",  # port out of range
        "http://[::1/",  # broken IPv6 literal
    ],
)
def test_normalise_url_refuses_non_http_and_unusable_urls(raw: str) -> None:
    assert normalise_url(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://[2001:DB8::1]/x", "http://[2001:db8::1]/x"),
        ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("http://[2001:db8::1]:80/x", "http://[2001:db8::1]/x"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]/"),
        ("http://[::1]/", "http://[::1]/"),
    ],
)
def test_normalise_url_keeps_ipv6_hosts_bracketed(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


def test_normalise_url_is_idempotent() -> None:
    once = normalise_url("HTTPS://Example.com:443/a/../b?q=1#x")
    assert once is not None
    assert normalise_url(once) == once


# --- check_address -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.0.9",
        "::1",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "169.254.1.1",
        "fe80::1",
        "169.254.169.254",
        "fd00:ec2::254",
        "224.0.0.1",
        "239.255.255.250",
        "ff02::1",
        "0.0.0.0",
        "::",
        "fc00::1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:192.168.0.1",
    ],
)
def test_check_address_refuses_non_public_addresses(address: str) -> None:
    with pytest.raises(RefusedAddress):
        check_address(ipaddress.ip_address(address), [])


@pytest.mark.parametrize(
    ("address", "form"),
    [
        ("2002:7f00:1::", "6to4"),
        ("2002:a00:1::1", "6to4"),
        ("2002:a9fe:a9fe::", "6to4"),
        ("64:ff9b::7f00:1", "NAT64"),
        ("64:ff9b::a9fe:a9fe", "NAT64"),
        ("64:ff9b:1::a00:1", "NAT64"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo client"),
        ("::ffff:7f00:1", "127.0.0.1"),
        ("::7f00:1", "IPv4-compatible"),
        ("::a00:1", "IPv4-compatible"),
    ],
)
def test_check_address_refuses_ipv4_hidden_in_ipv6(address: str, form: str) -> None:
    with pytest.raises(RefusedAddress, match=form):
        check_address(ipaddress.ip_address(address), [])


def test_an_allow_listed_ipv4_network_covers_its_mapped_form_only() -> None:
    loopback = [ipaddress.ip_network("127.0.0.0/8")]
    check_address(ipaddress.ip_address("::ffff:127.0.0.1"), loopback)
    check_address(ipaddress.ip_address("2002:7f00:1::"), loopback + [ipaddress.ip_network("2002::/16")])


def test_check_address_names_the_cloud_metadata_address() -> None:
    with pytest.raises(RefusedAddress, match="metadata"):
        check_address(ipaddress.ip_address("169.254.169.254"), [])


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "2a00:1450:4001:81c::200e"])
def test_check_address_accepts_public_addresses(address: str) -> None:
    check_address(ipaddress.ip_address(address), [])  # must not raise


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("127.0.0.1", "127.0.0.0/8"),
        ("::1", "::1/128"),
        ("::ffff:127.0.0.1", "127.0.0.0/8"),
        ("10.1.2.3", "10.0.0.0/8"),
    ],
)
def test_check_address_accepts_an_allow_listed_network(address: str, network: str) -> None:
    check_address(ipaddress.ip_address(address), [ipaddress.ip_network(network)])  # must not raise


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("127.0.0.1", "10.0.0.0/8"),
        ("::1", "127.0.0.0/8"),
        ("169.254.169.254", "127.0.0.0/8"),
        ("10.0.0.1", "127.0.0.0/8"),
    ],
)
def test_check_address_allow_list_covers_only_its_network(address: str, network: str) -> None:
    with pytest.raises(RefusedAddress):
        check_address(ipaddress.ip_address(address), [ipaddress.ip_network(network)])


# --- extract_page --------------------------------------------------------------------------

PAGE_URL = "https://www.example.com/blog/post"


def _images(html: str, page_url: str = PAGE_URL) -> list[str]:
    return extract_page(html, page_url).image_urls


def test_extract_img_src_relative_to_the_page() -> None:
    assert _images('<img src="a.jpg"><img src="/b.png">') == [
        "https://www.example.com/blog/a.jpg",
        "https://www.example.com/b.png",
    ]


def test_extract_takes_the_largest_srcset_candidate_by_width() -> None:
    images = _images('<img src="small.jpg" srcset="small.jpg 320w, big.jpg 1280w, mid.jpg 640w">')
    assert images == ["https://www.example.com/blog/big.jpg"]


def test_extract_takes_the_largest_srcset_candidate_by_density() -> None:
    assert _images('<img srcset="one.jpg, two.jpg 2x, onehalf.jpg 1.5x">') == ["https://www.example.com/blog/two.jpg"]


def test_extract_picture_source_largest_candidate() -> None:
    html = '<picture><source srcset="p1.webp 1x, p3.webp 3x, p2.webp 2x"><img src="fallback.jpg"></picture>'
    images = _images(html)
    assert "https://www.example.com/blog/p3.webp" in images
    assert "https://www.example.com/blog/p1.webp" not in images
    assert "https://www.example.com/blog/p2.webp" not in images


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="placeholder.gif" data-src="lazy.jpg">', "lazy.jpg"),
        ('<img data-lazy="lazy2.jpg">', "lazy2.jpg"),
        ('<img data-lazy-src="lazy3.jpg">', "lazy3.jpg"),
        ('<img data-original="lazy4.jpg">', "lazy4.jpg"),
        ('<img data-srcset="ls1.jpg 100w, ls2.jpg 900w">', "ls2.jpg"),
        ('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="real.jpg">', "real.jpg"),
        ('<img srcset="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-srcset="r1.jpg 1x, r2.jpg 2x">', "r2.jpg"),
    ],
)
def test_extract_lazy_loaded_images(html: str, expected: str) -> None:
    assert _images(html) == [f"https://www.example.com/blog/{expected}"]


def test_extract_social_meta_images() -> None:
    html = (
        '<head><meta property="og:image" content="https://cdn.example.com/og.jpg">'
        '<meta name="twitter:image" content="/tw.jpg">'
        '<meta property="twitter:image" content="tw2.jpg"></head>'
    )
    assert sorted(_images(html)) == sorted(
        ["https://cdn.example.com/og.jpg", "https://www.example.com/tw.jpg", "https://www.example.com/blog/tw2.jpg"]
    )


def test_extract_css_background_images() -> None:
    html = (
        "<style>.hero { background-image: url('hero.jpg') } .x { background: url(\"bg2.png\") no-repeat }</style>"
        '<div style="background-image: url(inline.jpg)"></div>'
        "<div style=\"background: url( 'spaced.jpg' ) center\"></div>"
    )
    assert sorted(_images(html)) == sorted(
        f"https://www.example.com/blog/{name}" for name in ("hero.jpg", "bg2.png", "inline.jpg", "spaced.jpg")
    )


def test_extract_json_ld_images() -> None:
    html = """<script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Article", "image": ["ld1.jpg", "https://img.example.org/ld2.jpg"],
     "author": {"@type": "Person", "image": "face.jpg"},
     "associatedMedia": {"@type": "ImageObject", "contentUrl": "object.jpg"},
     "thumbnail": [{"@type": "ImageObject", "url": "thumb.jpg"}]}
    </script>"""
    assert sorted(_images(html)) == sorted(
        [
            "https://www.example.com/blog/ld1.jpg",
            "https://img.example.org/ld2.jpg",
            "https://www.example.com/blog/face.jpg",
            "https://www.example.com/blog/object.jpg",
            "https://www.example.com/blog/thumb.jpg",
        ]
    )


def test_extract_ignores_invalid_json_ld() -> None:
    html = '<script type="application/ld+json">{"image": ["broken.jpg"</script><img src="ok.jpg">'
    assert _images(html) == ["https://www.example.com/blog/ok.jpg"]


def test_extract_resolves_against_base_href() -> None:
    html = (
        '<head><base href="https://cdn.example.com/assets/"></head>'
        '<body><img src="a.jpg"><img src="/root.jpg"><a href="next.html">n</a></body>'
    )
    content = extract_page(html, PAGE_URL)
    assert content.image_urls == ["https://cdn.example.com/assets/a.jpg", "https://cdn.example.com/root.jpg"]
    assert content.links == ["https://cdn.example.com/assets/next.html"]


def test_extract_relative_base_href_is_resolved_against_the_page() -> None:
    html = '<base href="/static/"><img src="a.jpg">'
    assert _images(html) == ["https://www.example.com/static/a.jpg"]


def test_extract_ignores_data_urls() -> None:
    html = (
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<div style="background-image: url(data:image/png;base64,AAAA)"></div>'
        '<meta property="og:image" content="data:image/jpeg;base64,/9j/">'
    )
    assert _images(html) == []


def test_extract_links_without_fragments_and_without_duplicates() -> None:
    html = (
        '<a href="/page#top">1</a><a href="/page">2</a><a href="/page#bottom">3</a>'
        '<a href="https://other.example.org/x#y">4</a><a href="mailto:me@example.com">m</a>'
        '<a href="javascript:void(0)">j</a><a href="#local">l</a><a href="http://bad:99999/">bad</a>'
    )
    assert extract_page(html, PAGE_URL).links == [
        "https://www.example.com/page",
        "https://other.example.org/x",
        "https://www.example.com/blog/post",
    ]


def test_extract_removes_duplicate_images_across_sources() -> None:
    html = (
        '<meta property="og:image" content="https://www.example.com/blog/a.jpg">'
        '<img src="a.jpg"><img src="a.jpg#x"><img src="/blog/a.jpg">'
        '<div style="background-image: url(a.jpg)"></div>'
    )
    assert _images(html) == ["https://www.example.com/blog/a.jpg"]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body><img src=",
        '<html><body><img src="a.jpg"><a href="/x',
        "<scr<<ipt>><img src=<<>>",
        '<img srcset=",,, ,"><img srcset="a.jpg 12qw">',
        '<img src="http://[::1/"><a href="http://[zz">x</a>',
        "\x00\x01\x02<div style='background:url('>",
        "<" * 1000,
        '<script type="application/ld+json">[1, null, {"image": 5}, "x"]</script>',
    ],
)
def test_extract_malformed_html_does_not_raise(html: str) -> None:
    content = extract_page(html, PAGE_URL)
    assert isinstance(content.image_urls, list)
    assert isinstance(content.links, list)
    assert all(url.startswith(("http://", "https://")) for url in content.image_urls + content.links)


def test_extract_truncated_html_keeps_what_came_before_the_cut() -> None:
    html = '<html><body><img src="a.jpg"><a href="/next">n</a><img src="b.jpg" srcset="b.jpg 1x, b2.jpg 2'
    content = extract_page(html, PAGE_URL)
    assert "https://www.example.com/blog/a.jpg" in content.image_urls
    assert content.links == ["https://www.example.com/next"]
