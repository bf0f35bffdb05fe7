"""Stage 5: the store. Releases on disk, each an immutable embedded Oxigraph store plus dumps."""
