"""Small reusable widgets and renderables for the views (bars, badges, links, keyed table)."""
