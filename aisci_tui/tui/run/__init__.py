"""Real AI-Scientist-v2 runs in the dashboard: the search-tree view, its plots, the run picker."""
