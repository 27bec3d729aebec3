"""Reading what the user clicked on a map (pure, so it can be tested without a browser)."""

from __future__ import annotations

from collections.abc import Collection


def clicked_area_id(result: dict | None, known_ids: Collection[str]) -> str | None:
    """Area id of the last clicked polygon in an ``st_folium`` result, if any.

    ``st_folium`` reports the clicked GeoJSON feature as ``last_active_drawing``;
    the map builders set each feature's ``id`` to the area id. Ids not in
    ``known_ids`` (a stale click from another level) are ignored.
    """
    if not result:
        return None
    feature = result.get("last_active_drawing") or {}
    area_id = feature.get("id")
    if area_id is None:
        area_id = (feature.get("properties") or {}).get("area_id")
    area_id = None if area_id is None else str(area_id)
    return area_id if area_id in set(known_ids) else None


def clicked_feature_id(result: dict | None) -> str | None:
    """Id of the last clicked GeoJSON feature in an ``st_folium`` result, if any."""
    feature = (result or {}).get("last_active_drawing") or {}
    value = feature.get("id")
    return None if value is None else str(value)
