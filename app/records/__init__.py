"""Services around the pupil record: path rules, the single write path, recomputation."""
