"""Score books: a class's subject book and homeroom book, read and written through the door.

A book is one class × (subject or homeroom) × term page: its columns, its pupils in class-list
order, which cells the reader may write, live validation and results by the grading engine's own
rules, and a save that writes each pupil atomically and answers cell by cell.
"""
