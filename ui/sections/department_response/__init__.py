"""The department response page's tabs: who is slow now, every measure, the trend, the towns' ratings."""
