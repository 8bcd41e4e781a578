"""Pages of the reports: the dashboard, its exports, the monthly summary and the PD plan."""
