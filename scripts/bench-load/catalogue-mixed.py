"""Writes catalogue searches drawn as callers ask them, one path per line, for read-ids.lua.

Usage: catalogue-mixed.py REFERENCE_JSON COUNT OUT

Each search names a unit (the first of the reference data's units is asked most, the n-th 1/n as
often), and a place: a region for 60 % of searches (weighted by its municipalities), one
municipality for 30 %, none for 10 %; 15 % add a word of the work tasks. Fixed seed: every run
asks the same searches in the same order. Of 40,000 such searches about 5,900 (15 %) are asked for
the first time, so the kept answers serve most of the rest, as they would in use; the same search
with a different day each request (catalogue-distinct.lua) measures pages built every time.
"""
import json
import random
import sys
import urllib.parse

reference, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = json.load(open(reference))
units = [unit["code"] for unit in data["qualification_units"]]
municipalities = [m for m in data["municipalities"] if m["in_force"] and m.get("region")]
regions = sorted({m["region"] for m in municipalities})
region_weights = [sum(1 for m in municipalities if m["region"] == r) for r in regions]
words = ["siivous", "asiakaspalvelu", "kiinteistönhoito", "astiahuolto", "lounaan valmistus"]

random.seed(20261206)
with open(out, "w") as file:
    for _ in range(count):
        query = [("unit", random.choices(units, weights=[1 / (n + 1) for n in range(len(units))])[0])]
        place = random.random()
        if place < 0.6:
            query.append(("region", random.choices(regions, weights=region_weights)[0]))
        elif place < 0.9:
            query.append(("municipality", random.choice(municipalities)["code"]))
        if random.random() < 0.15:
            query.append(("q", random.choice(words)))
        query.append(("limit", "20"))
        file.write("/v1/catalogue/learning-environments?" + urllib.parse.urlencode(query) + "\n")
