"""What the IT group watches and says: system status, a chain check with progress, and the
notice shown to every user (regulation Art. 8.1, 8.4)."""
