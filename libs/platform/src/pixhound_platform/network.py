"""The network guard for every outbound URL: only public unicast addresses, unless allowed by configuration.

A private, loopback, link-local or cloud-metadata target is refused, whether named by its
own address or hidden inside an IPv6 one that carries an IPv4 address: IPv4-mapped
(`::ffff:0:0/96`), IPv4-compatible (`::/96`), 6to4 (`2002::/16`), NAT64 (`64:ff9b::/96`,
`64:ff9b:1::/48`) and Teredo (`2001::/32`, whose client address is the bitwise NOT of the
last 32 bits). An allow-list (CIDRs, for tests and local stacks) lets named networks through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
CLOUD_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
TEREDO = ipaddress.ip_network("2001::/32")
LOW_32_BITS = 0xFFFFFFFF


class RefusedAddress(ValueError):
    pass


def embedded_ipv4(address: IpAddress) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, each with the name of the form that carries it."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    value = int(address)
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if address in IPV4_MAPPED:
        found.append(("IPv4-mapped", ipaddress.IPv4Address(value & LOW_32_BITS)))
    elif address in IPV4_COMPATIBLE:
        found.append(("IPv4-compatible", ipaddress.IPv4Address(value & LOW_32_BITS)))
    if address in SIX_TO_FOUR:
        found.append(("6to4", ipaddress.IPv4Address((value >> 80) & LOW_32_BITS)))
    if any(address in network for network in NAT64):
        found.append(("NAT64", ipaddress.IPv4Address(value & LOW_32_BITS)))
    if address in TEREDO:
        found.append(("Teredo server", ipaddress.IPv4Address((value >> 64) & LOW_32_BITS)))
        found.append(("Teredo client", ipaddress.IPv4Address(~value & LOW_32_BITS)))
    return found


def check_address(address: IpAddress, allowed: list[IpNetwork]) -> None:
    """Refuse anything but public unicast addresses, unless an allow-list names the network."""
    embedded = embedded_ipv4(address)
    if any(address in network for network in allowed):
        return
    if embedded and embedded[0][0] == "IPv4-mapped":
        address = embedded.pop(0)[1]
        if any(address in network for network in allowed):
            return
    for form, inner in embedded:
        try:
            check_address(inner, allowed)
        except RefusedAddress as error:
            raise RefusedAddress(f"{address} carries {inner} ({form}): {error}") from error
    if address in CLOUD_METADATA:
        raise RefusedAddress(f"{address} is a cloud metadata address")
    for label, flag in (
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
    ):
        if flag:
            raise RefusedAddress(f"{address} is a {label} address")
    if not address.is_global:
        raise RefusedAddress(f"{address} is not a public address")


async def resolve_checked(host: str, port: int, allowed: list[IpNetwork]) -> list[IpAddress]:
    """Every address the host resolves to, refused as a whole if any one of them is refused."""
    try:
        addresses: list[IpAddress] = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise RefusedAddress(f"cannot resolve {host}: {error}") from error
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise RefusedAddress(f"{host} has no address")
    for address in addresses:
        check_address(address, allowed)
    return addresses
