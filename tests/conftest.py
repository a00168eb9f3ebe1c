"""Test-wide settings: no test, notebook or package function may reach the network."""

from __future__ import annotations

from bpcourse._no_network import install

install()
