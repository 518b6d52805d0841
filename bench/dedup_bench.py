"""Story matching as the store grows: LSH band lookup (``store_article``) against a brute-force scan.

The store is grown to N = 250, 500, 1000, 2000 synthetic distinct articles (``synthetic_story``: ~300 words
of template sentences about CPEC projects, varied with random places, firms, people and figures). For each of
the last 100 inserts before each N, side by side: a brute-force lookup (the checks of
``cpec_watch.storage.stories.matching_story`` against every stored article instead of those sharing an LSH band), the
band lookup alone (``matching_story`` itself), then ``store_article``. Medians over those 100 inserts. Every
synthetic story is distinct, so N minus the number of stories formed counts false merges. Articles are dated
over 300 days (``--undated``: no dates, so the story date window does not apply).

    .venv/bin/python bench/dedup_bench.py [--sizes 250 500 1000 2000] [--window 100] [--seed 7] [--undated]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, col, select

from cpec_watch.models import Article
from cpec_watch.parsers import dedup
from cpec_watch.storage.articles import store_article
from cpec_watch.storage.db import open_engine, session
from cpec_watch.storage.models import ArticleRow, StoryBand
from cpec_watch.storage.stories import ESTIMATE_SLACK, STORY_DAYS, matching_story

PROJECTS = (
    "ML-1 railway upgrade",
    "Gwadar port",
    "Rashakai Special Economic Zone",
    "Dhabeji Special Economic Zone",
    "Allama Iqbal Industrial City",
    "Kohat cargo train",
    "Karakoram Highway realignment",
    "Khunjerab dry port",
    "Gwadar East Bay Expressway",
    "Thar coal block",
    "Karachi Circular Railway",
    "Azad Pattan hydropower project",
    "Bostan Special Economic Zone",
    "New Gwadar International Airport",
    "Hakla-Dera Ismail Khan motorway",
    "Mohmand Marwat Special Economic Zone",
    "Gwadar desalination plant",
    "Matiari-Lahore transmission line",
)
PLACES = (
    "Nowshera",
    "Peshawar",
    "Gwadar",
    "Turbat",
    "Quetta",
    "Karachi",
    "Thatta",
    "Hyderabad",
    "Sukkur",
    "Rohri",
    "Multan",
    "Faisalabad",
    "Lahore",
    "Sahiwal",
    "Gujranwala",
    "Islamabad",
    "Abbottabad",
    "Mansehra",
    "Gilgit",
    "Sost",
    "Hunza",
    "Kohat",
    "Karak",
    "Bannu",
    "Dera Ismail Khan",
    "Zhob",
    "Khuzdar",
    "Pasni",
    "Ormara",
    "Hub",
    "Jamshoro",
    "Nawabshah",
    "Larkana",
    "Bahawalpur",
    "Rahim Yar Khan",
    "Mirpur",
    "Muzaffarabad",
    "Chitral",
    "Swat",
    "Mardan",
    "Attock",
    "Jhelum",
    "Sialkot",
    "Kasur",
    "Okara",
    "Dadu",
    "Sanghar",
    "Badin",
    "Haripur",
    "Hattar",
    "Thakot",
    "Chilas",
    "Dasu",
    "Besham",
    "Taxila",
    "Chakwal",
    "Mianwali",
    "Bhakkar",
    "Layyah",
    "Khanewal",
    "Vehari",
    "Pakpattan",
    "Jhang",
    "Sargodha",
    "Khushab",
    "Gujrat",
    "Mandi Bahauddin",
    "Hafizabad",
    "Sheikhupura",
    "Nankana",
    "Ghotki",
    "Kashmore",
    "Jacobabad",
    "Sibi",
    "Loralai",
    "Panjgur",
    "Kharan",
    "Awaran",
    "Lasbela",
    "Uthal",
    "Jiwani",
    "Mastung",
    "Kalat",
    "Nushki",
    "Chaman",
    "Pishin",
    "Tank",
    "Lakki Marwat",
    "Hangu",
    "Parachinar",
    "Charsadda",
    "Swabi",
    "Buner",
    "Dir",
    "Skardu",
    "Astore",
)
AGENCIES = (
    "planning ministry",
    "Board of Investment",
    "CPEC Authority",
    "Pakistan Railways",
    "Gwadar Port Authority",
    "National Highway Authority",
    "provincial industries department",
    "Federal Board of Revenue",
    "State Bank",
    "Private Power and Infrastructure Board",
    "zone development company",
    "Sindh Board of Investment",
    "Balochistan finance department",
    "Water and Power Development Authority",
    "commerce ministry",
)
FIRST_NAMES = (
    "Ayesha",
    "Bilal",
    "Farhan",
    "Hina",
    "Imran",
    "Javed",
    "Kamran",
    "Lubna",
    "Mehwish",
    "Nadeem",
    "Omer",
    "Qasim",
    "Rabia",
    "Saima",
    "Tariq",
    "Usman",
    "Waqar",
    "Yasmin",
    "Zubair",
    "Asad",
    "Naveed",
    "Sadia",
    "Fahad",
    "Erum",
    "Shahid",
    "Gul",
    "Durdana",
    "Haroon",
    "Iqra",
    "Moeen",
)
SURNAMES = (
    "Qureshi",
    "Baloch",
    "Khattak",
    "Memon",
    "Chaudhry",
    "Siddiqui",
    "Afridi",
    "Bhutto",
    "Malik",
    "Shah",
    "Jatoi",
    "Marri",
    "Yousafzai",
    "Abbasi",
    "Kazmi",
    "Rind",
    "Durrani",
    "Soomro",
    "Niazi",
    "Lodhi",
    "Bugti",
    "Mengal",
    "Gillani",
    "Tareen",
    "Awan",
    "Kakar",
    "Bangash",
    "Wazir",
    "Paracha",
)
SYLLABLES = (
    "hua",
    "xin",
    "tong",
    "da",
    "zhong",
    "tai",
    "long",
    "sheng",
    "feng",
    "kai",
    "yuan",
    "jin",
    "hai",
    "rui",
    "ming",
    "bao",
    "heng",
    "lian",
    "chang",
    "guang",
    "wei",
    "xing",
    "an",
    "tian",
    "yu",
    "hong",
    "cheng",
    "fu",
    "kang",
    "jia",
    "shun",
    "li",
    "mao",
    "qiang",
    "run",
    "de",
    "hao",
    "ye",
    "bo",
    "teng",
)
TRADES = (
    "Engineering",
    "Holdings",
    "Textiles",
    "Logistics",
    "Power",
    "Steel",
    "Ceramics",
    "Agritech",
    "Pharma",
    "Glass",
    "Cables",
    "Motors",
    "Electronics",
    "Packaging",
    "Chemicals",
    "Foods",
    "Tiles",
    "Solar",
)
GOODS = (
    "cement",
    "gypsum",
    "rock salt",
    "chromite",
    "marble",
    "seafood",
    "dates",
    "cotton yarn",
    "citrus",
    "copper cathodes",
    "mangoes",
    "sesame",
    "surgical instruments",
    "leather jackets",
    "rice",
    "onyx",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

LEDES = (
    "{PLACE}: Work on the {project} has moved into a new stage, the {agency} said on {weekday}, with {n} "
    "labourers now on site under the China-Pakistan Economic Corridor.",
    "{PLACE}: The {agency} has approved a revised plan worth Rs{n} million for the {project}, one of the "
    "schemes listed for the second phase of CPEC.",
    "{PLACE}: Chinese and Pakistani officials met on {weekday} to review the {project}, a CPEC scheme that has "
    "fallen {n} days behind its timeline.",
    "{PLACE}: {company} signed an agreement on {weekday} to invest ${n} million in the {project}, the latest "
    "commitment under the China-Pakistan Economic Corridor.",
    "{PLACE}: Traders and transporters welcomed a decision by the {agency} to open the {project} to private "
    "bidders, ending a wait of {n} months for CPEC contracts.",
)
SENTENCES = (
    "[Engineers|Surveyors|Consultants] [surveyed|mapped|inspected] {n} kilometres of [alignment|track bed|route] near {place} and marked {n2} [culverts|bridges|crossings] for rebuilding.",
    "The contractor, {company}, [expects|hopes|plans] to finish [earthworks|piling|grading] by {month} if [monsoon flooding|the weather|rainfall] stays moderate.",
    "A spokesman for the {agency} said [land acquisition|the survey|fencing] for {n} acres near {place} was [complete|nearly done|under way].",
    "[Farmers|Landowners|Villagers] around {place} complained that compensation [cheques|payments|awards] worth Rs{n} per kanal had not yet [arrived|been paid|cleared].",
    "{person}, who [heads|runs|leads] the procurement [cell|wing|section], told reporters that {n2} bids had been [received|submitted|opened].",
    "Security for Chinese [staff|engineers|workers] will be [handled|provided|managed] by a special protection unit of {n2} [personnel|guards|policemen].",
    "Local exporters of {good} [hope|expect|believe] freight charges [fall|drop|ease] by {n2} percent once the [link|route|terminal] opens.",
    "Power for the [site|camp|works] comes from a {n2} megawatt grid station [commissioned|energised|completed] last {month}.",
    "The feasibility [consultants|study|report] [recommended|proposed|favoured] a [gauge|design|standard] that allows axle loads of {n2} tonnes.",
    "Critics in the provincial assembly [questioned|asked|challenged] why the [tender|contract|bid] was not [advertised|published|announced] in Urdu newspapers.",
    "Residents of {place} staged a [sit-in|protest|rally] demanding [jobs|employment|quotas] for local youth at the construction [camps|sites|yards].",
    "An environmental [assessment|review|audit] listed {n} mature [trees|shisham trees|acacias] that would have to be [cut|felled|removed] and replanted.",
    "{company} has [shipped|imported|brought in] {n2} containers of [machinery|equipment|spare parts] through Karachi, according to customs [records|data|filings].",
    "Officials said water for the [workforce|labour colony|camp] was being [trucked|bowsered|carried] in daily from a [reservoir|dam|tube well] at {place}.",
    "The zone company reported {n} plots [allotted|sold|leased], of which {n2} factories have [started|begun|entered] trial production.",
    "Gas [connections|supply|pressure] [remain|remains|is still] the main [bottleneck|hurdle|obstacle], investors told a committee chaired by {person}.",
    "A technical training [institute|college|centre] at {place} will [enrol|admit|train] {n2} apprentices in [welding|machining|plumbing] and electrical courses.",
    "Insurance [premiums|costs|rates] for imported [equipment|cranes|turbines] rose after the rupee [weakened|slid|fell] against the yuan.",
    "The budget [document|papers|estimates] [allocates|sets aside|earmarks] Rs{n} million for the scheme in the current fiscal year.",
    "Heavy rain in {month} [washed away|damaged|flooded] a temporary [bridge|causeway|diversion], delaying supply trucks for {n2} days.",
    "{person} of the chamber of commerce in {place} [urged|demanded|sought] tax [holidays|exemptions|rebates] for small local [suppliers|vendors|subcontractors].",
    "Chinese [lenders|banks|financiers] want a sovereign guarantee covering {n2} percent of the [financing|loan|debt], sources said.",
    "Under the revised [design|plan|layout], the station yard at {place} gets {n2} additional [loop lines|sidings|platforms].",
    "The port [handled|moved|processed] {n} twenty-foot equivalent units last quarter, mostly [fertiliser|urea|clinker] and [wheat|sugar|soybean].",
    "[Fishermen|Boat owners|Fishing families] in {place} fear that dredging could damage breeding grounds for [shrimp|lobster|crab].",
    "A joint working group will [meet|convene|sit] in Beijing in {month} to [settle|resolve|discuss] the remaining design [disputes|issues|differences].",
    "Tariff talks [stalled|broke down|slowed] over a [dispute|disagreement|row] about capacity payments totalling Rs{n} million a month.",
    "The auditor general [flagged|objected to|questioned] advance payments of Rs{n} million made without bank [guarantees|securities|cover].",
    "{company} plans to [hire|recruit|employ] {n} workers, most of them from [districts|towns|villages] around {place}.",
    "A pilot cold chain for {good} will start from {place} with {n2} refrigerated [trucks|containers|vans].",
    "Teachers at a government school near {place} said construction [dust|noise|traffic] had forced classes [indoors|to close|to shift].",
    "The railway ministry wants [signalling|interlocking|track circuits] upgraded so trains can run at {n2} kilometres an hour.",
    "An inquiry committee [led|headed|chaired] by {person} will report on cost [overruns|escalation|increases] within {n2} weeks.",
    "Desalinated water will be [sold|supplied|priced] to households at Rs{n2} per thousand gallons, officials [proposed|said|suggested].",
    "Truckers crossing at Sost paid [demurrage|detention charges|storage fees] for {n2} days while customs [software|servers|systems] [was|were|remained] down.",
    "A solar park of {n2} megawatts is planned on [barren|state|desert] land outside {place}, the board said.",
    "The {agency} has asked {company} to submit a fresh [bank guarantee|performance bond|work plan] by {month}.",
    "Agricultural researchers from Yangling are [testing|trialling|growing] {n2} hybrid varieties of [chilli|sesame|cotton|maize].",
    "Exporters [shipped|sent|moved] {n} tonnes of {good} through the corridor in the first half of the year.",
    "Provincial lawmakers from {place} [walked out|protested|objected] over [royalty|revenue|water] shares.",
    "Cement [factories|plants|mills] in {place} raised output to {n} bags a day to meet demand from contractors.",
    "A study by the Pakistan Institute of Development Economics [estimated|projected|counted] {n} indirect [jobs|livelihoods|positions].",
    "Local banks have opened yuan accounts for {n2} traders dealing in {good}, the central bank said.",
    "Road users [complained|protested|grumbled] that toll rates of Rs{n2} were [steep|high|unfair] for a single-lane stretch.",
    "The chief secretary ordered [monthly|weekly|quarterly] progress reviews and a [hotline|helpline|portal] for complaints from {place}.",
    "Satellite [images|pictures|photographs] show that {n2} of the planned [warehouses|sheds|hangars] now have roofs.",
    "{person} said the project would cut travel time between {place} and {place2} to {n2} [hours|minutes].",
    "Suppliers of {good} from {place} signed [memorandums|agreements|contracts] with {company} for long-term [purchase|offtake|supply].",
    "Geologists found unstable [slopes|rock|scree] along {n2} kilometres, requiring retaining walls and [tunnels|galleries|anchors].",
    "A women's vocational centre [financed|funded|sponsored] by {company} opened at {place} with {n2} seats.",
    "Legal [challenges|petitions|cases] in the high court over land [titles|records|ownership] in {place} remain pending.",
    "The ministry said the [debt|loan|credit] would be repaid over {n2} years after a grace period.",
    "Customs clearance time at the dry port fell to {n2} hours after a single [window|portal|desk] was introduced.",
    "Bus [operators|companies|owners] in {place} started a shuttle for workers from nearby union councils.",
    "The Chinese embassy [praised|welcomed|commended] the pace of work and invited {n2} Pakistani students to [Xi'an|Chengdu|Urumqi].",
    "Drainage [outfalls|channels|nullahs] at {place} will be rebuilt to stop seasonal flooding of the access road.",
    "Contract No. {n} covers [bridges|viaducts|tunnels], while No. {n2} covers stations and staff housing.",
    "The mining lease for {good} deposits near {place} was [extended|renewed|revised] by {n2} years.",
    "Officials expect first [revenue|returns|income] from the scheme in {month} of the next fiscal year.",
    "Diesel [shortages|rationing|price rises] in {place} idled {n2} [excavators|dumpers|graders] for most of last week.",
    "Nomadic [herders|graziers|shepherds] near {place} [asked|petitioned|lobbied] for [underpasses|crossings|corridors] so flocks can reach winter pastures.",
    "Archaeologists [warned|cautioned|advised] that Buddhist-era [stupas|relics|ruins] close to {place} need a [buffer|protected|fenced] zone.",
    "[Hospital|Clinic|Dispensary] staff at {place} [treated|saw|handled] {n2} [injuries|accidents|cases] linked to blasting during the past [quarter|season|semester].",
    "Telecom [operators|companies|carriers] are laying fibre [optic|cable|ducts] alongside the embankment toward {place}.",
    "[Smugglers|Hoarders|Middlemen] exploited [gaps|loopholes|delays] at the [checkpost|barrier|gate], the district [administration|police|magistrate] admitted.",
    "A [ferry|barge|launch] service across the [Indus|reservoir|creek] at {place} is [proposed|envisaged|suggested] for heavy [loads|cargo|vehicles].",
    "Mechanics in {place} [reported|noticed|saw] brisk [business|trade|demand] repairing [tractors|trailers|loaders] used by subcontractors.",
    "Wildlife [officers|wardens|rangers] [spotted|recorded|counted] {n2} [markhor|ibex|urial] near the [quarry|borrow pit|dump] last [winter|spring|autumn].",
    "Hoteliers in {place} [doubled|raised|hiked] [rents|tariffs|prices] after [surveyors|technicians|inspectors] [booked|filled|took] every [room|guesthouse|hostel].",
    "The [Senate|National Assembly|cabinet] [standing committee|panel|subcommittee] on [planning|railways|maritime affairs] [summoned|called|invited] the project director.",
    "Poultry and [dairy|livestock|fodder] [farms|sheds|units] [displaced|relocated|moved] by the [works|route|scheme] will get [plots|land|compensation] elsewhere.",
    "[Geotextile|Gabion|Riprap] [protection|lining|armour] will [shield|guard|secure] the [embankment|levee|bund] from [erosion|scouring|floods].",
    "Students of [engineering|architecture|geology] at {place} [university|polytechnic|college] [visited|toured|inspected] the [site|works|yard] on a field trip.",
    "[Rickshaw|Taxi|Van] drivers [blocked|closed|jammed] the [bypass|junction|bazaar] to protest [diversions|detours|closures] lasting {n2} days.",
    "A [mosque|shrine|graveyard] on the [alignment|corridor|path] will be [bypassed|spared|avoided] after talks with elders, {person} said.",
    "[Lime|Olive|Pistachio] [orchards|groves|plantations] along the [valley|slope|terrace] were [surveyed|valued|counted] for [compensation|payment|relief].",
    "[Sand|Gravel|Aggregate] [mining|extraction|dredging] from the [riverbed|stream|wadi] near {place} was [banned|halted|restricted] by the [court|tribunal|commissioner].",
    "The [provincial|district|municipal] [health|education|revenue] [department|office|directorate] [wants|seeks|requests] a [share|cut|portion] of the [royalties|levies|fees].",
    "[Smog|Haze|Fog] in {month} [grounded|delayed|suspended] [flights|convoys|deliveries] to the [airport|depot|terminal] for {n2} [hours|days].",
    "[Volunteers|Scouts|Students] [planted|sowed|distributed] {n} [saplings|seedlings|trees] along the [verge|median|shoulder] during a [drive|campaign|week].",
    "A [Chinese|local|joint] [hospital|clinic|medical camp] at {place} [offered|gave|provided] free [eye|dental|maternity] [checks|care|treatment] to {n2} patients.",
    "[Tube well|Canal|Karez] [owners|users|irrigators] near {place} [feared|worried|claimed] the [cutting|tunnel|excavation] would [lower|drain|divert] groundwater.",
    "The [bid|tender|auction] [evaluation|scrutiny|review] [report|note|summary] [ranked|placed|scored] {company} [first|second|third] on [price|technical merit|experience].",
    "[Cricket|Football|Hockey] [grounds|fields|pitches] built for [camp|labour|staff] [residents|families|workers] are open to {place} [youth|teams|clubs] on Fridays.",
    "[Fuel|Lubricant|Bitumen] [theft|pilferage|leakage] from the [depot|store|yard] [cost|drained|lost] Rs{n} [thousand|lakh] last [month|fortnight], the [audit|inquiry|review] found.",
    "[Pilgrims|Tourists|Trekkers] [heading|travelling|bound] to {place} [faced|met|endured] [queues|jams|waits] at [weighbridges|checkposts|tollbooths].",
    "[Embroidery|Carpet|Pottery] [artisans|weavers|craftsmen] in {place} [hope|plan|want] to [sell|market|export] through the [zone's|port's|corridor's] [showroom|expo|stall].",
    "A [drone|helicopter|satellite] [survey|mapping|scan] of {n2} [square kilometres|hectares|acres] [finished|ended|wrapped up] ahead of [schedule|time|plan].",
    "[Snowfall|Frost|Blizzards] [halts|stops|pauses] [paving|asphalting|concreting] above [Babusar|Shandur|Lowari] [pass|top|heights] from [November|December] until [March|April].",
    "[Radio|Cable|Newspaper] [adverts|notices|announcements] in [Pashto|Sindhi|Balochi|Punjabi] [invited|called|asked] [objections|claims|comments] within {n2} days.",
)
_ALTERNATIVES = re.compile(r"\[([^\]]+)\]")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def company_name(rng: random.Random) -> str:
    word = lambda: (rng.choice(SYLLABLES) + rng.choice(SYLLABLES)).capitalize()  # noqa: E731
    return f"{word()} {word()} {rng.choice(TRADES)}"


def synthetic_story(rng: random.Random, index: int) -> tuple[str, date, tuple[str, ...]]:
    """A distinct synthetic CPEC story (~300 words): title, publication date, paragraphs."""
    project, place = rng.choice(PROJECTS), rng.choice(PLACES)
    local = {
        "places": rng.sample(PLACES, 3),
        "firms": [company_name(rng) for _ in range(2)],
        "people": [f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for _ in range(2)],
        "goods": rng.sample(GOODS, 2),
        "months": rng.sample(MONTHS, 2),
        "agencies": rng.sample(AGENCIES, 2),
    }

    def fill(template: str) -> str:
        template = _ALTERNATIVES.sub(lambda m: rng.choice(m.group(1).split("|")), template)
        return template.format(
            PLACE=place.upper(),
            place=rng.choice(local["places"]),
            place2=rng.choice(local["places"]),
            project=project,
            agency=rng.choice(local["agencies"]),
            company=rng.choice(local["firms"]),
            person=rng.choice(local["people"]),
            good=rng.choice(local["goods"]),
            month=rng.choice(local["months"]),
            weekday=rng.choice(WEEKDAYS),
            n=rng.randint(120, 9800),
            n2=rng.randint(11, 990),
        )

    sentences = [fill(rng.choice(LEDES))] + [fill(s) for s in rng.sample(SENTENCES, 20)]
    paragraphs = tuple(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
    title = f"{project}: {local['firms'][0]} and {local['agencies'][0]} in {place} talks ({index})"
    return title, date(2025, 1, 1) + timedelta(days=index % 300), paragraphs


def brute_force_match(sess: Session, fp: dedup.Fingerprint, text: str, published: date | None) -> int | None:
    """What matching costs without bands: ``matching_story``'s checks against every stored article."""
    near = []
    for story_id, article_id, signature, other_date in sess.exec(
        select(ArticleRow.story_id, ArticleRow.id, ArticleRow.signature, ArticleRow.published)
    ).all():
        if published and other_date and abs((published - other_date).days) > STORY_DAYS:
            continue
        other = dedup.Fingerprint(tuple(int(v) for v in signature.split()), ())
        if dedup.similarity(fp, other) >= dedup.SAME_STORY_THRESHOLD - ESTIMATE_SLACK:
            near.append((story_id, article_id))
    mine, best, best_story = dedup.shingles(text), 0.0, None
    for story_id, article_id in near:
        theirs = dedup.shingles(sess.exec(select(ArticleRow.body).where(ArticleRow.id == article_id)).one())
        score = len(mine & theirs) / len(mine | theirs)
        if score > best:
            best, best_story = score, story_id
    return best_story if best >= dedup.SAME_STORY_THRESHOLD else None


def band_candidates(sess: Session, fp: dedup.Fingerprint) -> int:
    """How many stored articles share a band with ``fp`` (the rows ``matching_story`` reads)."""
    return len(
        sess.exec(
            select(ArticleRow.id)
            .join(StoryBand, col(StoryBand.article_id) == col(ArticleRow.id))
            .where(col(StoryBand.band).in_(fp.bands))
            .distinct()
        ).all()
    )


def corpus_similarity(seed: int, sample: int = 200) -> str:
    """Pairwise Jaccard of the shingle sets of ``sample`` synthetic stories: how alike the corpus is."""
    rng = random.Random(seed)
    sets = [dedup.shingles("\n\n".join(synthetic_story(rng, i)[2])) for i in range(sample)]
    values = sorted(len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1 :])
    words = statistics.median(len(s) for s in sets)
    return (
        f"Corpus: {words:g} distinct content words per story; pairwise Jaccard over {len(values)} pairs: median "
        f"{statistics.median(values):.3f}, p95 {values[int(0.95 * len(values))]:.3f}, max {values[-1]:.3f}"
    )


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def run(sizes: list[int], window: int, seed: int, undated: bool) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(f"sqlite:///{tmp}/dedup.db")
        rows, stored = [], 0
        for size in sizes:
            brute, bands, insert, fp_time, cands = [], [], [], [], []
            while stored < size:
                title, published, paragraphs = synthetic_story(rng, stored)
                url = f"https://bench.example/story/{stored}"
                data = Article(url, url, "bench", title, None if undated else published, paragraphs)
                measured = stored >= size - window
                with session(engine) as sess:
                    if measured:
                        t0 = time.perf_counter()
                        fp = dedup.fingerprint(data.text)
                        t1 = time.perf_counter()
                        brute_force_match(sess, fp, data.text, data.published)
                        t2 = time.perf_counter()
                        matching_story(sess, fp, data.text, data.published)
                        t3 = time.perf_counter()
                        cands.append(band_candidates(sess, fp))
                        fp_time.append(t1 - t0)
                        brute.append(t2 - t1)
                        bands.append(t3 - t2)
                    t4 = time.perf_counter()
                    result = store_article(sess, data, None)
                    if measured:
                        insert.append(time.perf_counter() - t4)
                assert result.outcome == "stored", result
                stored += 1
            with session(engine) as sess:
                stories = len(sess.exec(select(ArticleRow.story_id).distinct()).all())
            rows.append(
                (
                    size,
                    ms(insert),
                    ms(fp_time),
                    ms(bands),
                    ms(brute),
                    ms(brute) / ms(bands),
                    (ms(insert) - ms(bands) + ms(brute)) / ms(insert),
                    statistics.median(cands),
                    max(cands),
                    stories,
                )
            )
        engine.dispose()
    dates = "without dates" if undated else f"dated over 300 days (story window {STORY_DAYS} days)"
    print(f"Story matching, articles {dates}; median of the last {window} inserts at each store size (ms per insert)\n")
    print(corpus_similarity(seed) + "\n")
    print(
        "| N stored | store_article | of which fingerprint | band lookup | brute-force lookup | "
        "lookup ratio brute/bands | insert with brute force / as is | LSH candidates (median, max) | stories | "
        "false merges |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, ins, fpt, band, bru, ratio, whole, cmed, cmax, nst in rows:
        print(
            f"| {size} | {ins:.2f} | {fpt:.2f} | {band:.2f} | {bru:.2f} | {ratio:.1f}x | {whole:.1f}x | "
            f"{cmed:g}, {cmax} | {nst} | {size - nst} ({(size - nst) / size:.1%}) |"
        )
    first, last = rows[0], rows[-1]
    growth = last[0] / first[0]
    print(
        f"\nN grew {growth:g}x: store_article {last[1] / first[1]:.2f}x, band lookup {last[3] / first[3]:.2f}x, "
        f"brute-force lookup {last[4] / first[4]:.2f}x per insert. Every synthetic story is distinct, so each "
        f"article that joined an existing story (N stored - stories) is a false merge."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--window", type=int, default=100, help="inserts measured before each size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--undated", action="store_true", help="store the articles without publication dates")
    args = parser.parse_args()
    run(sorted(args.sizes), args.window, args.seed, args.undated)


if __name__ == "__main__":
    main()
