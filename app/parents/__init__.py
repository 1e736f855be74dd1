"""Parents: their accounts (created by the school from a guardian entry), the page where they
follow their children's approved results, and the mistakes they report («Báo sai sót»)."""
