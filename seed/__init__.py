"""Demo data: a realistic PTDTNT THCS school in Đắk Lắk, generated deterministically."""
