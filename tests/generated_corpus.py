"""A corpus of generated news items for size and scale tests: short reports in the shapes
people write (a daily flow, a cumulative total, deliveries, casualties, schools, pledges),
with places, dates and numbers drawn from a seeded random generator, so the same call always
writes the same files. The sentences are this project's own."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

PLACES = ["Stepanakert", "Martuni", "Askeran", "Goris", "Yerevan", "Kharkiv", "Odesa",
          "Aleppo", "Gaza", "Dover", "Calais", "Moldova", "Barda", "Syunik"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SENTENCES = [
    "More than {a:,} people returned to {place} over the past day, officials said on {weekday}.",
    "Since the start of the month, {b:,} residents have come back to {place}, the local office "
    "added.",
    "A convoy of {c} trucks carrying food and blankets reached {place} on {weekday}.",
    "At least {d} civilians were killed in {place} during the shelling, the ministry said.",
    "{e} schools reopened in {place} this week, according to the education department.",
    "The donor pledged ${f} million for shelter repairs in {place}.",
    "About {g:,} families in {place} received hygiene kits from the relief agency.",
]


def write_corpus(folder: Path, documents: int, seed: int = 7) -> None:
    """`documents` news items in `folder/sources/`, with a catalogue of their dates."""
    rng = random.Random(seed)
    sources = folder / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    rows = ["path,published,publisher"]
    start = date(2020, 11, 10)
    for n in range(documents):
        day = start + timedelta(days=rng.randrange(400))
        place = rng.choice(PLACES)
        numbers = {"a": rng.randrange(100, 3000), "b": rng.randrange(3000, 90000),
                   "c": rng.randrange(3, 80), "d": rng.randrange(2, 60),
                   "e": rng.randrange(2, 40), "f": rng.randrange(2, 300),
                   "g": rng.randrange(100, 20000)}
        chosen = rng.sample(SENTENCES, 5)
        body = " ".join(s.format(place=place, weekday=WEEKDAYS[day.weekday()], **numbers)
                        for s in chosen)
        name = f"item-{n:05d}.txt"
        (sources / name).write_text(f"Update from {place}, {day:%d %B %Y}\n\n{body}\n",
                                    "utf-8")
        rows.append(f"{name},{day.isoformat()},Desk {n % 17}")
    (sources / "sources.csv").write_text("\n".join(rows) + "\n", "utf-8")
