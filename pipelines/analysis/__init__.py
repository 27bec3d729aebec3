"""Analysis: profiles, trend tests, hotspots, the back-test, rankings,
harm weights and the sector summary (CompStat) with its packet.
"""
