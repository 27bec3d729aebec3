"""The source-profile drafter (`beatprofile profile init`): column roles, dates,
coordinates and CRS, labels, categories, and the TOML it writes."""
