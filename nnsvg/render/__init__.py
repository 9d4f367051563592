"""The SVG renderer (and, later, other back ends) for scenes."""
