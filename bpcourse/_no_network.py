"""A guard that makes any connection to a non-loopback address fail loudly.

The course promises that nothing downloads anything: the data sets are made here. The tests
install this guard in the pytest process (tests/conftest.py) and in every notebook kernel they
run (tests/ipython/profile_default/startup/), so a notebook or package function that tried to
reach the network would fail the test suite instead of quietly needing internet.
"""

from __future__ import annotations

import ipaddress
import socket

_installed = False


class NetworkAccessError(RuntimeError):
    """Raised when course code tries to open a connection off this machine."""


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    elif isinstance(address, (str, bytes)):
        return True  # a Unix domain socket path: local by definition
    else:
        return False
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: resolving it is already network access


def install() -> None:
    """Refuse ``connect``/``connect_ex``/``sendto``/``getaddrinfo`` for non-loopback addresses."""
    global _installed
    if _installed:
        return
    _installed = True
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def _refuse(what: object) -> None:
        raise NetworkAccessError(f"bpcourse: no network access allowed (tried {what!r})")

    def connect(self, address):
        if self.family != socket.AF_UNIX and not _is_loopback(address):
            _refuse(address)
        return original_connect(self, address)

    def connect_ex(self, address):
        if self.family != socket.AF_UNIX and not _is_loopback(address):
            _refuse(address)
        return original_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback((host,)):
            _refuse(host)
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
