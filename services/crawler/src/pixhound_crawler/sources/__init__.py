"""Discovery sources beside seed URLs: site sitemaps, web-archive files and reverse-image-search providers."""

from pixhound_crawler.sources.reverse_search import (
    GoogleVisionWebDetection,
    ReverseImageSearch,
    ReverseMatch,
    ReverseSearchAuthError,
    ReverseSearchError,
    ReverseSearchQuotaExceeded,
    ReverseSearchUnavailable,
)
from pixhound_crawler.sources.sitemaps import SitemapEntry, discover_sitemap_urls
from pixhound_crawler.sources.webarchive import ArchivedPage, WatPage, iter_warc_discoveries, iter_wat_discoveries

__all__ = [
    "ArchivedPage",
    "GoogleVisionWebDetection",
    "ReverseImageSearch",
    "ReverseMatch",
    "ReverseSearchAuthError",
    "ReverseSearchError",
    "ReverseSearchQuotaExceeded",
    "ReverseSearchUnavailable",
    "SitemapEntry",
    "WatPage",
    "discover_sitemap_urls",
    "iter_warc_discoveries",
    "iter_wat_discoveries",
]
