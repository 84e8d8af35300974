"""The live map page's parts: drill state and path, the cached map view, the refreshing panel."""
