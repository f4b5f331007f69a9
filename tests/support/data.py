"""Where the shared real data sets are: ``shared/data`` beside the repository checkout."""

from __future__ import annotations

from support.kafka import REPO

SHARED_DATA = REPO.parent / "shared" / "data"
ENRON = SHARED_DATA / "enron"
R_LISTS = SHARED_DATA / "r-mailing-lists"
STACKEXCHANGE = SHARED_DATA / "stackexchange-bicycles-meta"
