"""Tagging: the tag vocabulary (`data/taxonomy.yaml`, extensible in YAML) and the matcher that
gives every paper its tag ids."""

from __future__ import annotations
