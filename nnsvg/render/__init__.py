"""Scenes to files: one writer module per output format (svg, png, pdf), registered by
suffix in :mod:`nnsvg.render.writers` and imported when first used."""
