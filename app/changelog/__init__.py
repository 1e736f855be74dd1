"""The modification log, written from MongoDB change streams (DESIGN §6)."""
