"""The workforce page's tabs: staffing, profiles, turnover, workload, retirement projection."""
