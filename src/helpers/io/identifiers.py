"""Which column headers look like direct identifiers of a person.

The participations file must be pseudonymous: it may carry a pseudonymous ``beneficiary_id`` and a
``birth_year``, never names, social-security (NIR) numbers, contact details, addresses, exact birth
dates or personal file numbers. :func:`identifier_kind` classifies one header; the participations
reader refuses a file with such a column, and ``python -m helpers pseudonymise`` drops them.

Matching is on the header's **whole words** ("tokens"): the header is split on camelCase
(``firstName``), accents are stripped, it is lowercased and cut on every character that is not a
letter or a digit (``Date_de-naissance`` -> ``date de naissance``); letters and digits are cut apart
too (``adresse1`` -> ``adresse 1``). Two neighbouring words are also tried joined (``last name`` ->
``lastname``), and the whole header without separators (``numerosecu``). Whole-word matching is what
keeps ``nomenclature``, ``dénomination``, ``telecom_lot`` or ``hotel`` from being flagged.

Rules, in this order (the first that applies gives the kind):

- NIR / social-security number: ``nir``, ``nss``, ``ssn``, ``secu``, ``insee`` (the NIR is the
  "numéro INSEE"), ``sécurité sociale``, ``social security``, ``ss`` next to ``num``/``numero``/``no``;
- e-mail: ``email``, ``mail``, ``courriel``, ``mel``;
- phone: ``telephone``, ``tel``, ``phone``, ``mobile``, ``portable``, ``gsm``, ``fax``;
- address: ``adresse``, ``address``, ``rue``, ``street``, ``voie``, ``domicile``, ``code postal``,
  ``postcode``, ``zip``;
- place of birth: a birth word (below) with ``lieu``, ``ville``, ``commune``, ``pays``, ``place``,
  ``city``, ``country``;
- exact birth date: ``naissance``, ``naiss``, ``birth``, ``born``, ``dob``, ``ddn``, ``birthdate``,
  ``né le`` / ``née le`` — unless a year word says it is only the year (``annee``, ``an``, ``year``,
  ``aaaa``): ``birth_year``, ``annee_naissance`` and ``année de naissance`` are allowed;
- personal file number: ``matricule``; a France Travail / Pôle emploi or CAF (``allocataire``)
  number or identifier;
- name: ``nom``, ``noms``, ``prenom``, ``patronyme``, ``identite``, ``name``, ``surname``,
  ``lastname``, ``firstname``, ``forename``, ``givenname``, ``fullname``, ``familyname``,
  ``middlename`` (and the joined forms ``nomprenom``, ``nomfamille``, ``nomusage``...), except when
  another word says the name is an organisation's or a thing's (``acheteur_nom``,
  ``nom_entreprise``, ``Nom de la structure``, ``nom du lot``) and no word says it is a person's
  (``nom_salarie_chantier`` is a person's name on a work site: flagged).

The canonical columns ``beneficiary_id`` and ``birth_year`` are never flagged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

NIR = "NIR / social-security number"
EMAIL = "e-mail"
PHONE = "phone"
ADDRESS = "address"
BIRTH_PLACE = "place of birth"
BIRTH_DATE = "exact birth date"
FILE_NUMBER = "personal file number"
NAME = "name"

#: Kinds that identify a person for the pseudonymous key (names and birth date).
IDENTITY_KINDS = (NAME, BIRTH_DATE)

_NIR_WORDS = {"nir", "nss", "ssn", "secu", "insee"}
_NUMBER_WORDS = {"num", "numero", "no", "n", "nr", "nb", "number", "id", "identifiant", "code"}
_EMAIL_WORDS = {"email", "mail", "courriel", "mel", "emails", "mails"}
_PHONE_WORDS = {"phone", "telephone", "tel", "mobile", "portable", "gsm", "fax", "cellphone",
                "telephones", "tels"}
_ADDRESS_WORDS = {"adresse", "address", "addr", "rue", "street", "voie", "domicile", "postcode",
                  "zip", "zipcode", "codepostal", "adresses"}
_BIRTH_WORDS = {"naissance", "naiss", "birth", "born", "dob", "ddn", "birthdate", "birthday",
                "datenaissance", "datedenaissance", "dateofbirth", "nele", "neele"}
_YEAR_WORDS = {"annee", "an", "year", "yr", "aaaa", "yyyy"}
_PLACE_WORDS = {"lieu", "ville", "commune", "pays", "place", "city", "country", "departement"}
_NAME_WORDS = {"nom", "noms", "prenom", "prenoms", "patronyme", "patronymique", "identite",
               "identity", "name", "names", "surname", "lastname", "firstname", "forename",
               "givenname", "fullname", "familyname", "middlename", "nomfamille", "nomdefamille",
               "nomusage", "nomdusage", "nomnaissance", "nomdenaissance", "nomprenom",
               "prenomnom", "nometprenom", "prenometnom", "nomcomplet"}
_ORG_WORDS = {"acheteur", "buyer", "entreprise", "structure", "employeur", "employer", "company",
              "titulaire", "holder", "marche", "contrat", "contract", "operation", "siae",
              "organisme", "societe", "raison", "fichier", "file", "site", "chantier", "projet",
              "commune", "ville", "city", "lot", "lots", "prescripteur", "dispositif", "formation",
              "diplome", "metier", "poste", "fonction", "qualification", "convention", "programme",
              "action", "prestation", "quartier", "qpv", "etablissement", "association", "partenaire",
              "organisation", "client", "fournisseur", "supplier", "vendor", "colonne", "column",
              "champ", "field", "feuille", "sheet", "onglet"}
_PERSON_WORDS = {"salarie", "salariee", "salaries", "beneficiaire", "beneficiaires", "participant",
                 "participante", "participants", "personne", "person", "employe", "employee",
                 "candidat", "candidate", "stagiaire", "usager", "jeune", "demandeur", "individu",
                 "worker", "beneficiary", "allocataire", "agent", "intervenant", "interimaire",
                 "apprenti", "alternant", "naissance", "usage", "famille", "jeunefille", "epouse"}
_CANONICAL_OK = {"beneficiaryid", "birthyear"}


def header_tokens(header: str) -> list[str]:
    """The header's words: camelCase split, accents stripped, lowercase, cut on every character
    that is not a letter or a digit and between letters and digits."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))  # firstName -> first Name
    ascii_only = "".join(c for c in unicodedata.normalize("NFKD", spaced)
                         if not unicodedata.combining(c))
    ascii_only = ascii_only.replace("œ", "oe").replace("Œ", "oe")
    return re.findall(r"[a-z]+|[0-9]+", ascii_only.lower())


def identifier_kind(header: str) -> str | None:
    """What kind of direct identifier a column header looks like, or ``None`` (rules in the module
    docstring)."""
    tokens = header_tokens(header)
    joined = "".join(tokens)
    if not tokens or joined in _CANONICAL_OK:
        return None
    words = set(tokens)
    pairs = {a + b for a, b in zip(tokens, tokens[1:])}
    triples = {a + b + c for a, b, c in zip(tokens, tokens[1:], tokens[2:])}
    grams = words | pairs | triples | {joined}
    if grams & _NIR_WORDS or {"securite", "sociale"} <= words or {"social", "security"} <= words \
            or ("ss" in words and words & _NUMBER_WORDS) or joined in {"numss", "noss"} \
            or joined.startswith(("numerosecu", "numsecu")):
        return NIR
    if words & _EMAIL_WORDS or joined in {"email", "adressemail", "adresseemail"}:
        return EMAIL
    if words & _PHONE_WORDS or joined.startswith(("telephone", "phone")):
        return PHONE
    if grams & _ADDRESS_WORDS:
        return ADDRESS
    if grams & {"nomnaissance", "nomdenaissance", "nomjeunefille", "nomdejeunefille"}:
        return NAME
    birth = bool(grams & _BIRTH_WORDS) or (bool(words & {"ne", "nee"}) and
                                           bool(words & {"le", "date"}))
    if birth and not words & _YEAR_WORDS:
        return BIRTH_PLACE if words & _PLACE_WORDS else BIRTH_DATE
    if "matricule" in words or (words & _NUMBER_WORDS and (
            {"pole", "emploi"} <= words or {"france", "travail"} <= words
            or "allocataire" in words or "caf" in words)):
        return FILE_NUMBER
    if grams & _NAME_WORDS and (not words & _ORG_WORDS or words & _PERSON_WORDS):
        return NAME
    return None


def identifier_columns(columns: Iterable[str]) -> dict[str, str]:
    """``{column: kind}`` for the columns that look like direct identifiers, in their order."""
    out = {}
    for col in columns:
        kind = identifier_kind(col)
        if kind:
            out[col] = kind
    return out
