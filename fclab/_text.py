"""Text helpers shared by every message fclab shows (one way to write a shape)."""


def shape_text(shape):
    """``(4, 3)``, ``(5,)``, ``()``; None dims print as None."""
    dims = ["None" if d is None else str(int(d)) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
