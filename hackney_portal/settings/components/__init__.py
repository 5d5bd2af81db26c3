"""Topic modules of the shared settings, each star-imported by `settings.base`; none reads a file."""
