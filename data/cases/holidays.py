#!/usr/bin/env python3
"""Generate holidays_mx.csv and holidays_us.csv for 2020-2030 from the rules
of the statutes (data/cases/SOURCE.md). Run: python3 holidays.py (writes the
two files beside it). The CSVs are committed; this script documents how they
were made and regenerates them for more years."""
import datetime as dt
import os

YEARS = range(2020, 2031)


def nth_weekday(year, month, weekday, n):
    """n-th (1-based) weekday (0=Monday) of the month; n=-1 the last."""
    if n > 0:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(weekday - d.weekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def mx(year):
    """Ley Federal del Trabajo, Art. 74 (descanso obligatorio). Fixed days are
    not moved when they fall on a weekend; the Monday rules are the 2006
    reform's (DOF 17-01-2006)."""
    out = [
        (dt.date(year, 1, 1), "New Year's Day", "Año Nuevo", "LFT 74-I"),
        (nth_weekday(year, 2, 0, 1), "Constitution Day", "Día de la Constitución", "LFT 74-II first Monday of February"),
        (nth_weekday(year, 3, 0, 3), "Benito Juárez's birthday", "Natalicio de Benito Juárez", "LFT 74-III third Monday of March"),
        (dt.date(year, 5, 1), "Labour Day", "Día del Trabajo", "LFT 74-IV"),
        (dt.date(year, 9, 16), "Independence Day", "Día de la Independencia", "LFT 74-V"),
        (nth_weekday(year, 11, 0, 3), "Revolution Day", "Día de la Revolución", "LFT 74-VI third Monday of November"),
        (dt.date(year, 12, 25), "Christmas Day", "Navidad", "LFT 74-VIII"),
    ]
    if (year - 2024) % 6 == 0:
        out.append((dt.date(year, 10, 1), "Transfer of the Federal Executive", "Transmisión del Poder Ejecutivo Federal", "LFT 74-VII (every six years, since 2024)"))
    return sorted(out)


def observed(d):
    """5 U.S.C. 6103(b) and Executive Order 11582: a Saturday holiday is
    observed the Friday before, a Sunday holiday the Monday after."""
    if d.weekday() == 5:
        return d - dt.timedelta(days=1)
    if d.weekday() == 6:
        return d + dt.timedelta(days=1)
    return d


def us(year):
    """5 U.S.C. 6103(a): the legal public holidays (Inauguration Day is a
    holiday only in the Washington area and is left out)."""
    out = [
        (observed(dt.date(year, 1, 1)), "New Year's Day", "Año Nuevo", "5 USC 6103(a) January 1 (observed)"),
        (nth_weekday(year, 1, 0, 3), "Birthday of Martin Luther King, Jr.", "Natalicio de Martin Luther King Jr.", "5 USC 6103(a) third Monday in January"),
        (nth_weekday(year, 2, 0, 3), "Washington's Birthday", "Natalicio de Washington", "5 USC 6103(a) third Monday in February"),
        (nth_weekday(year, 5, 0, -1), "Memorial Day", "Día de los Caídos", "5 USC 6103(a) last Monday in May"),
        (observed(dt.date(year, 7, 4)), "Independence Day", "Día de la Independencia", "5 USC 6103(a) July 4 (observed)"),
        (nth_weekday(year, 9, 0, 1), "Labor Day", "Día del Trabajo", "5 USC 6103(a) first Monday in September"),
        (nth_weekday(year, 10, 0, 2), "Columbus Day", "Día de Colón", "5 USC 6103(a) second Monday in October"),
        (observed(dt.date(year, 11, 11)), "Veterans Day", "Día de los Veteranos", "5 USC 6103(a) November 11 (observed)"),
        (nth_weekday(year, 11, 3, 4), "Thanksgiving Day", "Día de Acción de Gracias", "5 USC 6103(a) fourth Thursday in November"),
        (observed(dt.date(year, 12, 25)), "Christmas Day", "Navidad", "5 USC 6103(a) December 25 (observed)"),
    ]
    if year >= 2021:  # Juneteenth National Independence Day Act, Pub. L. 117-17 (2021-06-17)
        out.append((observed(dt.date(year, 6, 19)), "Juneteenth National Independence Day", "Día de la Independencia de Juneteenth", "5 USC 6103(a) June 19 (observed)"))
    return sorted(out)


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("date,name_en,name_es,rule\n")
        for d, en, es, rule in rows:
            f.write('%s,"%s","%s","%s"\n' % (d.isoformat(), en, es, rule))


here = os.path.dirname(os.path.abspath(__file__))
write(os.path.join(here, "holidays_mx.csv"), [r for y in YEARS for r in mx(y)])
# the observed New Year's Day of a year can fall on December 31 of the year before (2022 -> 2021-12-31)
write(os.path.join(here, "holidays_us.csv"), sorted(r for y in list(YEARS) + [2031] for r in us(y) if r[0].year in YEARS))
