"""Reports: the figures leaders read (compliance, dashboard, circular, investment)."""
