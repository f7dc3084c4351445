"""Samples models."""
