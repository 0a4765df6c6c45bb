"""folium rendering only: plans and state in, maps out. Never solves, never reads input files."""
