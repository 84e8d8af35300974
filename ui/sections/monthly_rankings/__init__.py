"""The monthly rankings page's parts: the ranking, consequences with the integrity review, the
integrity signals with their evidence, the printable and PDF reports."""
