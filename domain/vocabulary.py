"""The workflow's vocabulary: the coded values of referrals, placements, capacity, tasks,
reports and accounts, in one place.

Each enum's value is what the database and the API carry. A LabelledEnum member also
carries the Dutch label that pages, texts and reports show, written next to the value, so
that one place holds the codes and their wording. The sections follow the layers that use
them. The child's own codes (its profile, Wlz, woonplaats, departures) are in
domain/profile_vocabulary.py; the care forms keep their own module (domain/care.py); an enum
that only one module uses inside itself (an event kind, the transition table's actions)
stays with that module.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.labels import LabelledEnum

# Time norms


class DeadlineKind(LabelledEnum):
    """Which norm a deadline belongs to."""

    START_HULP = "start_hulp", "start ambulante hulp, overbruggingshulp of plaatsing"
    STARTAFSPRAKEN = "startafspraken", "startafspraken na crisisplaatsing"
    PERSPECTIEFPLAN = "perspectiefplan", "evaluatie en perspectiefplan na crisisplaatsing"


class DeadlineStatus(LabelledEnum):
    """Where a deadline stands."""

    GEHAALD = "gehaald", "gehaald"
    TE_LAAT = "te_laat", "te laat gehaald"
    OPEN = "open", "open"
    VERLOPEN = "verlopen", "verlopen, nog niet gedaan"


# Perspectiefregie


class RegieAssignment(StrEnum):
    """Where the perspectiefregie is placed."""

    LOKALE_TOEGANG = "lokale_toegang"
    LOKALE_KEUZE = "lokale_keuze"
    BUITEN_REGIO = "buiten_regio"
    PERSPECTIEF_ONBEKEND = "perspectief_onbekend"


class AssignMoment(StrEnum):
    """When the regisseur must be assigned."""

    BIJ_BESCHIKKING = "bij_beschikking"
    NA_CRISISPLAATSING = "na_crisisplaatsing"


# Capacity


class HoldState(StrEnum):
    """Life of a hold: active until confirmed, released or expired."""

    ACTIVE = "active"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    EXPIRED = "expired"


class ChangeKind(LabelledEnum):
    """What a capacity change does when it takes effect."""

    PLACES_OPENED = "places_opened", "plaatsen erbij"
    PLACES_CLOSED = "places_closed", "plaatsen eraf"
    UNIT_CLOSING = "unit_closing", "eenheid sluit"


class UnitStatus(StrEnum):
    """Open, closing on a date, or closed."""

    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class HoldOutcome(StrEnum):
    """Result of the view's own atomic hold."""

    OK = "ok"
    FULL = "full"
    UNKNOWN_UNIT = "unknown_unit"


# Proposals and plans


class ProposalKind(LabelledEnum):
    """The cases `propose` always makes visible."""

    FIRST_BEST_NOW = "first_best_now", "first-best, nu vrij"
    FIRST_BEST_LATER = "first_best_later", "first-best, komt vrij"
    ALTERNATIVE_NOW = "alternative_now", "alternatief, nu vrij"
    ALTERNATIVE_LATER = "alternative_later", "alternatief, komt vrij"
    KINDGERICHT_WERVEN = "kindgericht_werven", "kindgericht werven"


class PlanStatus(StrEnum):
    """Optimal, or the best plan found within the time limit (with its gap)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


# Referrals, decisions and judgements


class ReferralStatus(LabelledEnum):
    """Where a referral stands; the steps run in this order."""

    AANGEMELD = "aangemeld", "aangemeld"
    GEADVISEERD = "geadviseerd", "advies gegeven"
    VOORGESTELD = "voorgesteld", "voorstellen gedaan"
    VASTGEHOUDEN = "vastgehouden", "plek vastgehouden"
    GEPLAATST = "geplaatst", "geplaatst"
    UITGESTROOMD = "uitgestroomd", "uitgestroomd"
    INGETROKKEN = "ingetrokken", "ingetrokken"


class Urgency(StrEnum):
    """Regular or crisis."""

    REGULIER = "regulier"
    CRISIS = "crisis"


class BridgingCare(LabelledEnum):
    """Help while waiting (overbruggingshulp); 'geen' counts against the 14-day norm."""

    GEEN = "geen", "geen"
    AMBULANT = "ambulant", "ambulante hulp"
    AMBULANTE_CRISISHULP = "ambulante_crisishulp", "ambulante crisishulp"
    LOGEREN = "logeren", "logeren / respijtzorg"
    DEELTIJD = "deeltijd", "deeltijdverblijf"
    CRISISOPVANG = "crisisopvang", "crisisopvang"
    ANDERS = "anders", "anders"


class DecisionOutcome(StrEnum):
    """Accept (the child is placed) or decline (the hold is released)."""

    ACCEPT = "accept"
    DECLINE = "decline"


class ReasonCode(LabelledEnum):
    """Why a proposal was declined or why the placement deviates from the advice."""

    GEEN_CAPACITEIT = "geen_capaciteit", "geen plek beschikbaar"
    VOORKEUR_OUDERS = "voorkeur_ouders", "voorkeur van de ouders"
    VOORKEUR_KIND = "voorkeur_kind", "voorkeur van het kind"
    BROERS_ZUSSEN = "broers_zussen", "broers en zussen"
    AFSTAND = "afstand", "afstand"
    AANBIEDER_WEIGERT = "aanbieder_weigert", "aanbieder weigert"
    CRISIS = "crisis", "crisis"
    PROFESSIONEEL_OORDEEL = "professioneel_oordeel", "professioneel oordeel"
    TE_LANG_GEWACHT = "te_lang_gewacht", "te lang gewacht op de eerste keus"
    BESLUIT_GI_RECHTER = "besluit_gi_rechter", "besluit van de GI of de rechter"
    GEEN_CONTRACT = "geen_contract", "geen contract met de aanbieder"
    ANDERS = "anders", "anders (zie toelichting)"


class WithdrawalReason(LabelledEnum):
    """Why a referral was withdrawn before a placement (seed 004: alternatives existed, the
    request was withdrawn, or there was no place)."""

    ALTERNATIEF = "alternatief", "ander passend aanbod (ambulant, netwerk)"
    NIET_MEER_NODIG = "niet_meer_nodig", "verblijf is niet meer nodig"
    WENS_OUDERS_KIND = "wens_ouders_kind", "wens van ouders of kind"
    BESLUIT_GI_RECHTER = "besluit_gi_rechter", "besluit van de GI of de rechter"
    GEEN_PLEK = "geen_plek", "geen plek beschikbaar"
    ANDERE_GEMEENTE = "andere_gemeente", "andere gemeente of regio neemt het over"
    WLZ = "wlz", "zorg valt onder de Wlz"
    DUBBEL = "dubbel", "dubbele of onjuiste aanmelding"
    ANDERS = "anders", "anders (zie toelichting)"


class JudgementState(LabelledEnum):
    """Where the professional judgement of a referral's advice stands."""

    OPEN = "open", "wacht op oordeel gedragswetenschapper"
    TWEEDE_NODIG = "tweede_nodig", "wacht op tweede gedragswetenschapper"
    AFGEROND = "afgerond", "oordeel afgerond"


class Verdict(LabelledEnum):
    """What a gedragswetenschapper does with the advice in force: confirm or change it."""

    CONFIRM = "confirm", "bevestigd"
    CHANGE = "change", "gewijzigd"


class JudgementReason(LabelledEnum):
    """Why a gedragswetenschapper confirms or changes an advice."""

    ADVIES_PAST = "advies_past", "het advies past bij het beeld van het kind"
    ZWAARTE = "zwaarte", "zwaarte of complexiteit anders ingeschat"
    BEHANDELBEHOEFTE = "behandelbehoefte", "behandelbehoefte anders ingeschat"
    VEILIGHEID = "veiligheid", "veiligheid van het kind of de omgeving"
    NETWERK = "netwerk", "mogelijkheden in het netwerk"
    AFBREEKRISICO = "afbreekrisico", "risico op afbreken van de plaatsing"
    BROERS_ZUSSEN = "broers_zussen", "broers en zussen"
    WENS_KIND_OUDERS = "wens_kind_ouders", "wens van kind of ouders"
    AANVULLENDE_INFORMATIE = (
        "aanvullende_informatie",
        "informatie die het afwegingskader niet weegt",
    )
    ANDERS = "anders", "anders (zie toelichting)"


# A placement's life: provider requests, transfers, regie tasks


class RequestState(LabelledEnum):
    """Where a request to a provider stands. An open request whose hold has ended (the
    servicepunt decided, withdrew, or the hold expired) counts as lapsed ('vervallen')."""

    OPEN = "open", "wacht op antwoord"
    GEACCEPTEERD = "geaccepteerd", "geaccepteerd"
    GEWEIGERD = "geweigerd", "geweigerd"
    VERVALLEN = "vervallen", "vervallen (plek niet meer vastgehouden)"


class ProviderAnswer(StrEnum):
    """The provider's answer to a request."""

    ACCEPT = "accept"
    REFUSE = "refuse"


class RefusalReason(LabelledEnum):
    """Why a provider refuses a child for a held place."""

    PAST_NIET_IN_GROEP = "past_niet_in_groep", "past niet in de groep"
    VEILIGHEID = "veiligheid", "veiligheid van het kind of de groep"
    GEEN_PERSONEEL = "geen_personeel", "geen personeel"
    ZORGZWAARTE = "zorgzwaarte", "zorgzwaarte hoger dan de plek biedt"
    LEEFTIJD = "leeftijd", "leeftijd past niet bij de groep"
    GEEN_PLEK = "geen_plek", "plek is toch niet beschikbaar"
    GEEN_CONTRACT = "geen_contract", "geen contract met de gemeente"
    ANDERS = "anders", "anders (zie toelichting)"


class TransferReason(LabelledEnum):
    """Why a placed child moves to another form or place (a step up or down)."""

    AFSCHALEN = "afschalen", "afschalen: minder zware zorg past nu"
    OPSCHALEN = "opschalen", "opschalen: zwaardere zorg nodig"
    NA_CRISIS = "na_crisis", "van crisisopvang naar een reguliere plek"
    AFGEBROKEN = "afgebroken", "de plaatsing liep vast"
    DICHTER_BIJ_HUIS = "dichter_bij_huis", "dichter bij huis, school of netwerk"
    BROERS_ZUSSEN = "broers_zussen", "samen met broers en zussen"
    ZELFSTANDIGHEID = "zelfstandigheid", "naar zelfstandig wonen (kamertraining, begeleid wonen)"
    ANDERS = "anders", "anders"


class TaskKind(LabelledEnum):
    """A perspectiefregisseur's task with a time limit (seed 001)."""

    STARTAFSPRAKEN = "startafspraken", "startafspraken"
    PERSPECTIEFPLAN = "perspectiefplan", "perspectiefplan"
    EVALUATIE = "evaluatie", "evaluatie"
    # The perspective after 18: talked through at 16½ and again at 17½.
    PERSPECTIEF_165 = "perspectief_165", "perspectief na 18 (16½ jaar)"
    PERSPECTIEF_175 = "perspectief_175", "perspectief na 18 (17½ jaar)"


class DueState(StrEnum):
    """Where something due by a date stands on a day: a beschikking's start, a regie task."""

    OPEN = "open"
    GEHAALD = "gehaald"
    TE_LAAT = "te_laat"

    @classmethod
    def on(cls, today: date, due: date, done: date | None) -> DueState:
        """Done by `due` is met and done after it is late; not done, it is late once `today`
        is past `due` and open until then."""
        if done is not None:
            return cls.GEHAALD if done <= due else cls.TE_LAAT
        return cls.TE_LAAT if today > due else cls.OPEN


# Reports


class NormStatus(StrEnum):
    """The 14-day start norm for one referral: green, amber, red, or not running."""

    GEHAALD = "gehaald"
    OP_TIJD = "op_tijd"
    RISICO = "risico"
    TE_LAAT = "te_laat"
    GEEN_BESCHIKKING = "geen_beschikking"


# Accounts and jobs


class Role(LabelledEnum):
    """What a user may see and do (DOMAIN.md section 10)."""

    SERVICEPUNT = "servicepunt", "servicepunt"
    VERWIJZER = "verwijzer", "verwijzer"
    AANBIEDER = "aanbieder", "aanbieder"
    PLANNER = "planner", "planner"
    ADMIN = "admin", "beheerder"
    # Judges each advice of the afwegingskader: confirms or changes it (issue 18).
    GEDRAGSWETENSCHAPPER = "gedragswetenschapper", "gedragswetenschapper"
    # Keeps the perspective of the children assigned to them; records start agreements,
    # the perspectiefplan and evaluations (issue 21).
    PERSPECTIEFREGISSEUR = "perspectiefregisseur", "perspectiefregisseur"


class JobStatus(LabelledEnum):
    """Where a job is: queued, running, done or failed."""

    WACHTEND = "wachtend", "in de wachtrij"
    BEZIG = "bezig", "bezig"
    KLAAR = "klaar", "klaar"
    MISLUKT = "mislukt", "mislukt"
