"""The sample county: a generator (`python -m sample_data.generate`) and its rule data."""
