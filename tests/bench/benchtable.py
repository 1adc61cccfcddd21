"""A plain aligned table for benchmark output (benchmarks run with -s, so it reaches the terminal)."""


def print_table(title, header, rows):
    """Print a plain aligned table (benchmarks run with -s, so it reaches the terminal)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(f"\n{title}")
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
