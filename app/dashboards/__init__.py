"""The board's and the subject groups' dashboards (Art. 6.3): progress of entry and of the
approval chain, timeliness, data quality, cross-checks, results statistics."""
