"""Runs PyMongo's own unified CRUD and change-stream specification tests against the embedded
server and sorts every outcome: passed, refused (code 115), failed, silently wrong, skipped.

``make conformance`` (or ``python -m conformance``). The test sources come from the pinned PyMongo
source distribution, downloaded with pip into a cache directory; nothing of it is kept in the
repository.
"""
