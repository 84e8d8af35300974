"""The event flow page's tabs: flows and drill-down, two periods, stage timing, returns, escalation."""
