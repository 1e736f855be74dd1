"""The approval chain (Art. 10–11): submit → check (or return) → approve → lock, per book;
the school's term and year locks; correction requests after a lock; and what waits for whom."""
