"""Fixtures: tiny copies of each archive (see archive_fixtures.py)."""

from archive_fixtures import (  # noqa: F401
    daphnet_home,
    hapt_home,
    motionsense_home,
    opportunity_home,
    pamap2_home,
    skoda_home,
    uci_har_home,
    unimib_home,
    wisdm_home,
)
