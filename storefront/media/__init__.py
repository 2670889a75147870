"""Pictures: upload checks, renditions, and storage that every host can read."""
