"""Distances on the Earth, as MongoDB computes them for 2dsphere queries."""

import math

# MongoDB's radius for spherical distances (geoconstants.h), so both paths agree.
EARTH_RADIUS_METERS = 6378.1 * 1000


def distance_meters(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine). Right near the poles and across the antimeridian:
    it works on the sphere, with no flat latitude/longitude box."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(a)))
