"""How a department's person register matches an identity check (the simulator's only logic).

Rules, as a real register would apply them:
* names compare folded: case, umlauts (ä = ae), accents, hyphens and spaces; a double name
  ("Meier-Suter") that contains the asked name ("Meier") fits only partially, as does a first
  name of which only the first part was given ("Anna" for "Anna Lena");
* a date of birth compares as far as both sides know it ("1975-11" fits "1975-11-03");
* a VN decides when both sides have one, and is ignored when only one side has it (unless the
  register knows it for someone else);
* a localPersonId of the register's own category must be the person's id;
* a representative acting for a company must be one of the company's representatives.
A single candidate that fits fully is MATCH, one that fits partially PARTIAL_MATCH, several
AMBIGUOUS (unless the VN picks one), none NO_MATCH.
"""
import unicodedata

FOLDS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def fold(name):
    text = "".join(FOLDS.get(c, c) for c in (name or "").casefold())
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for sep in "-'\t":
        text = text.replace(sep, " ")
    return " ".join(text.split())


def name_fit(asked, known):
    """'full', 'partial' or None."""
    a, k = fold(asked), fold(known)
    if not a or not k:
        return None
    if a == k:
        return "full"
    if set(a.split()) <= set(k.split()) or set(k.split()) <= set(a.split()):
        return "partial"
    return None


def first_name_fit(asked, known):
    fit = name_fit(asked, known)
    if fit is None and fold(asked).split()[:1] == fold(known).split()[:1]:
        return "partial"
    return fit


def date_fit(asked, known):
    """'full' when both know the whole date and agree, 'partial' when they agree as far as the
    less precise one goes, None when they differ."""
    if not asked or not known:
        return None
    common = min(len(asked), len(known))
    if asked[:common] != known[:common]:
        return None
    return "full" if len(asked) == len(known) == 10 else "partial"


def vn_check_digit_ok(vn):
    if len(vn) != 13 or not vn.isdigit() or not vn.startswith("756"):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(vn[:12]))
    return (10 - total % 10) % 10 == int(vn[12])


class Register:
    def __init__(self, persons, companies, category, company_category):
        self.persons = persons
        self.companies = companies
        self.category = category
        self.company_category = company_category

    def check(self, query):
        """query: officialName, firstName, dateOfBirth, vn, personIdCategory, personId,
        organisationUid (strings, "" when not sent). Returns (result, person, matched_on)."""
        candidates = []
        persons = self.persons
        if query.get("vn") and any(p.get("vn") == query["vn"] for p in persons):
            # A VN the register knows names its person: nobody else can be the one asked for.
            persons = [p for p in persons if p.get("vn") == query["vn"]]
        for p in persons:
            matched = []
            vn_asked, vn_known = query.get("vn") or "", p.get("vn") or ""
            if vn_asked and vn_known:
                if vn_asked != vn_known:
                    continue
                matched.append("vn")
            if query.get("personId") and query.get("personIdCategory") == self.category:
                if query["personId"] != p["personId"]:
                    continue
                matched.append("localPersonId")
            fits = [name_fit(query.get("officialName"), p["officialName"]),
                    first_name_fit(query.get("firstName"), p["firstName"]),
                    date_fit(query.get("dateOfBirth"), p["dateOfBirth"])]
            if "vn" in matched:
                # The VN identifies the person; the names need only fit somehow.
                if fits[0] is None and fits[1] is None:
                    continue
            elif None in fits:
                continue
            for field, fit in zip(("officialName", "firstName", "dateOfBirth"), fits):
                if fit:
                    matched.append(field)
            full = "vn" in matched or all(f == "full" for f in fits)
            candidates.append((p, matched, full))
        if not candidates:
            return "NO_MATCH", None, []
        if len(candidates) > 1:
            by_vn = [c for c in candidates if "vn" in c[1]]
            if len(by_vn) != 1:
                return "AMBIGUOUS", None, []
            candidates = by_vn
        person, matched, full = candidates[0]
        uid = query.get("organisationUid")
        if uid:
            company = next((c for c in self.companies if c["uid"] == uid), None)
            if company is None:
                return "NO_MATCH", None, matched
            if person["personId"] not in company["representatives"]:
                return "NOT_AUTHORISED", None, matched
            return ("MATCH" if full else "PARTIAL_MATCH"), dict(company, category=self.company_category), matched + ["representation"]
        return ("MATCH" if full else "PARTIAL_MATCH"), dict(person, category=self.category), matched
