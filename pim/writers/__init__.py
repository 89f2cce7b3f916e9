"""Writers: one module per feed format, each turning Feeds into files."""
