"""Rendering: folium maps, altair charts and matplotlib/HTML documents shared
by the dashboard and the CLI (no Streamlit here).
"""
