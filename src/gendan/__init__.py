"""Gendan: order follow-up (跟单) for manufacturers and export traders."""

__version__ = "0.1.0"
