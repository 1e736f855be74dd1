"""Encrypted, verified backups of the whole database, their schedule, and restore.

Backups copy the database as it is stored, below the permission rules by design: this package
and the data-access layer are the only raw readers and writers of every collection.
"""
