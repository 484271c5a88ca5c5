"""Make ``src/narcoflow/report/outlines/ne_110m_countries.json`` (run once; its output is vendored).

The outlines are Natural Earth's 1:110m admin-0 countries (public domain), as shipped inside the
geopandas 0.14.4 wheel on PyPI (``geopandas/datasets/naturalearth_lowres``). Usage::

    pip download --no-deps geopandas==0.14.4 -d /tmp/gp && unzip -o /tmp/gp/*.whl -d /tmp/gp
    pip install pyshp
    python docs/scripts/make_outlines.py \
        /tmp/gp/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Longitudes are shifted to [0, 360) so that the Pacific (China to the Americas) is contiguous; only
countries whose outline reaches the map's window (longitude 60-320, latitude -10 to 75, shifted) are
kept, with coordinates rounded to 0.01 degree.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import shapefile  # pyshp

WINDOW = (60.0, 320.0, -10.0, 75.0)  # lon0, lon1 (shifted), lat0, lat1
OUT = Path(__file__).resolve().parents[2] / "src/narcoflow/report/outlines/ne_110m_countries.json"


def main(shp: str) -> None:
    """Read the shapefile, keep the rings in the window, write the JSON."""
    reader = shapefile.Reader(shp)
    names = [f[0] for f in reader.fields[1:]]
    countries = []
    for rec, shape in zip(reader.records(), reader.shapes(), strict=True):
        row = dict(zip(names, rec, strict=True))
        parts = [*shape.parts, len(shape.points)]
        rings = []
        for a, b in itertools.pairwise(parts):
            ring = [(round(lon % 360.0, 2), round(lat, 2)) for lon, lat in shape.points[a:b]]
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            inside = max(xs) >= WINDOW[0] and min(xs) <= WINDOW[1] and max(ys) >= WINDOW[2]
            if inside and min(ys) <= WINDOW[3] and max(xs) - min(xs) < 180:
                rings.append(ring)
        if rings:
            countries.append({"name": row["name"], "iso_a3": row["iso_a3"], "rings": rings})
    payload = {
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (public domain), "
        "from geopandas 0.14.4 (PyPI), geopandas/datasets/naturalearth_lowres",
        "longitude": "degrees east, shifted to [0, 360)",
        "countries": countries,
    }
    OUT.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(countries)} countries, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
