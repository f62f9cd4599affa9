"""Generated data: the demo county 清河县 (its names and texts in demo_county.toml) and the
county/city/province ledgers of the scale benchmarks."""
