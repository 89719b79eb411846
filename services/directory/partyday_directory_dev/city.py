"""A deterministic synthetic city: Hanzhong's party organisation tree with 208,000 members.

`generate_city` builds it from a seed alone; `load_city` writes it into a directory database,
with one outbox event per organisation and per member, in one transaction.
"""

import csv
import io
import json
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import get_args

from psycopg2 import extensions as psycopg2_extensions
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from partyday_common.db import make_engine, utcnow
from partyday_common.envelope import Envelope
from partyday_common.tables import OUTBOX
from partyday_common.vocabulary import Domain, Kind
from partyday_directory import orgs
from partyday_directory.models import Member, Org, metadata
from partyday_directory.passwords import hash_password
from partyday_directory_contracts.events import MemberJoined, OrgCreated

MEMBERS = 208_000
TOWNSHIPS = 200
BRANCHES = 8_800
BRANCH_SIZE = (5, 60)
TOWNSHIPS_PER_COUNTY = (10, 25)
BRANCHES_PER_TOWNSHIP = (15, 80)


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle."""

    south: float
    north: float
    west: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def clamp(self, lat: float, lon: float) -> tuple[float, float]:
        return min(max(lat, self.south), self.north), min(max(lon, self.west), self.east)

    def around(self, lat: float, lon: float, radius: float) -> "Box":
        """The square of `radius` degrees around a point, cut to this box."""
        return Box(
            max(self.south, lat - radius),
            min(self.north, lat + radius),
            max(self.west, lon - radius),
            min(self.east, lon + radius),
        )

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        return rng.uniform(self.south, self.north), rng.uniform(self.west, self.east)


CITY_BOX = Box(south=32.6, north=33.7, west=105.8, east=108.4)
CITY_CENTRE = (33.07, 107.03)
COUNTY_RADIUS = 0.15
COUNTIES = (
    ("汉台区委", 33.07, 107.03),
    ("南郑区委", 33.00, 106.94),
    ("城固县委", 33.16, 107.33),
    ("洋县县委", 33.22, 107.55),
    ("西乡县委", 32.98, 107.77),
    ("勉县县委", 33.15, 106.67),
    ("宁强县委", 32.83, 106.26),
    ("略阳县委", 33.33, 106.16),
    ("镇巴县委", 32.60, 107.90),
    ("留坝县委", 33.62, 106.92),
    ("佛坪县委", 33.53, 107.99),
    ("汉中经济技术开发区党工委", 33.05, 107.12),
)

PLACE_FIRST = "东西南北上下大小新老黄青白红金石柳杨马龙凤安长永兴和平朱宗武胡周汉褒沙铁高"
PLACE_SECOND = "关营坝河店铺桥湾沟坪寨庙园山岭川口湖溪滩堡池塘峪家渠梁台"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺"
)
GIVEN_NAME_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌辉鹏飞雪琴云海波宁佳欣怡"
    "浩宇晨阳丹玲凤林春燕德福荣成秋菊松柏安庆忠良永胜利民小"
)
PHONE_PREFIXES = tuple(
    str(prefix)
    for prefix in (*range(130, 140), *range(150, 154), *range(155, 160), 166, 173, 177, *range(180, 190), 191, 198, 199)
)
NUMERALS = "零一二三四五六七八九十"

KINDS = get_args(Kind)
KIND_WEIGHTS = (88, 8, 4)
KIND_SUFFIX = {"regular": "党支部", "joint": "联合党支部", "mobile": "流动党员党支部"}
DOMAINS = get_args(Domain)
BRANCH_DOMAIN_WEIGHTS = {
    "rural": (46, 8, 10, 9, 5, 9, 3, 7, 3),
    "community": (8, 46, 10, 9, 6, 10, 4, 5, 2),
}
INDUSTRIES = ("茶业", "食品", "建材", "物流", "农业科技", "电子", "药业", "米业", "生态农业", "旅游开发")
TOWN_UNITS = {
    "government": ("政府机关", "财政所", "司法所", "派出所", "市场监管所"),
    "institution": ("卫生院", "农技站", "水利站", "文化站", "敬老院", "畜牧兽医站"),
    "state_enterprise": ("供电所", "邮政支局", "农村信用社", "汉江水电站", "汉江建工项目部", "烟草站"),
    "social_org": ("个体劳动者协会", "商会", "茶叶协会", "志愿者协会", "老年协会", "养蜂协会"),
    "school": ("中心小学", "初级中学", "中学", "中心幼儿园", "九年制学校"),
    "other": ("离退休干部", "农民专业合作社", "产业园", "集贸市场"),
}
GENERAL_BRANCH_SYSTEMS = (
    ("government", "机关"),
    ("institution", "卫生系统"),
    ("school", "中心学校"),
    ("state_enterprise", "供电所"),
)

EARLIEST_JOINING = date(1960, 1, 1)
PROBATION_START = date(2024, 12, 1)
LATEST_JOINING = date(2025, 11, 20)


@dataclass(frozen=True)
class CityOrg:
    """A generated node, as it becomes a row of `orgs`."""

    id: str
    code: str
    name: str
    parent_id: str | None
    level: str
    domain: str
    kind: str
    path: str
    venue_lat: float | None
    venue_lon: float | None


@dataclass(frozen=True, slots=True)
class CityMember:
    """A generated member; `branch_path` is kept for the `member_joined` event."""

    id: str
    name: str
    phone: str
    branch_id: str
    branch_path: str
    mobile: bool
    probationary: bool
    lost_contact: bool
    joined_on: date


@dataclass(frozen=True)
class City:
    """The generated tree: `orgs` are the nodes to create, parents before children.

    `root` is among them unless the city was attached to a root that already existed.
    """

    root: CityOrg
    orgs: list[CityOrg]
    members: list[CityMember]

    def count(self, level: str) -> int:
        return sum(1 for org in self.orgs if org.level == level)


class CityLoadRefused(RuntimeError):
    """The database already holds part of the generated city; loading it twice would duplicate it."""


def generate_city(seed: int, root: CityOrg | None = None) -> City:
    """The synthetic city of this seed; the same seed always gives the same city.

    With `root`, the counties hang under that existing city node (and take its code as prefix)
    instead of under a new 汉中市委.
    """
    rng = random.Random(seed)
    builder = _CityBuilder(rng)
    # The new root's id is drawn even when attaching, so that the rest of the city stays the same.
    new_root = builder.make_org(None, "HZ", "汉中市委", "city", "government", "regular", CITY_CENTRE)
    if root is None:
        root = new_root
        builder.orgs.append(root)
    township_counts = _split(rng, TOWNSHIPS, len(COUNTIES), *TOWNSHIPS_PER_COUNTY)
    branch_counts = iter(_split(rng, BRANCHES, TOWNSHIPS, *BRANCHES_PER_TOWNSHIP))
    for number, ((name, lat, lon), townships) in enumerate(zip(COUNTIES, township_counts), start=1):
        box = CITY_BOX.around(lat, lon, COUNTY_RADIUS)
        county = builder.add(
            root, f"{root.code}-{number:02d}", name, "county", "government", "regular", CITY_BOX.clamp(lat, lon)
        )
        for township in range(1, townships + 1):
            builder.add_township(county, f"{county.code}-{township:03d}", box, next(branch_counts))
    branches = [org for org in builder.orgs if org.level == "branch"]
    for branch, size in zip(branches, _split(rng, MEMBERS, len(branches), *BRANCH_SIZE)):
        builder.add_members(branch, size)
    return City(root=root, orgs=builder.orgs, members=builder.members)


def _uuid(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128)).hex


def _split(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """`total` cut into `parts` random whole numbers, each within low..high."""
    if not low * parts <= total <= high * parts:
        raise ValueError(f"{total} cannot be split into {parts} parts of {low}..{high}")
    weights = [rng.gammavariate(2.0, 1.0) for _ in range(parts)]
    scale = (total - low * parts) / sum(weights)
    sizes = [min(high, low + int(weight * scale)) for weight in weights]
    shortfall = total - sum(sizes)
    while shortfall:
        index = rng.randrange(parts)
        if sizes[index] < high:
            sizes[index] += 1
            shortfall -= 1
    return sizes


class _CityBuilder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.orgs: list[CityOrg] = []
        self.members: list[CityMember] = []
        self.phones: set[str] = set()
        self.town_places: set[str] = set()

    def make_org(
        self,
        parent: CityOrg | None,
        code: str,
        name: str,
        level: str,
        domain: str,
        kind: str,
        venue: tuple[float, float],
    ) -> CityOrg:
        org_id = _uuid(self.rng)
        return CityOrg(
            id=org_id,
            code=code,
            name=name,
            parent_id=parent.id if parent else None,
            level=level,
            domain=domain,
            kind=kind,
            path=orgs.child_path(parent.path if parent else None, org_id),
            venue_lat=round(venue[0], 6),
            venue_lon=round(venue[1], 6),
        )

    def add(
        self, parent: CityOrg, code: str, name: str, level: str, domain: str, kind: str, venue: tuple[float, float]
    ) -> CityOrg:
        org = self.make_org(parent, code, name, level, domain, kind, venue)
        self.orgs.append(org)
        return org

    def place(self) -> str:
        return self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)

    def near(self, venue: tuple[float, float], box: Box) -> tuple[float, float]:
        return box.clamp(venue[0] + self.rng.gauss(0, 0.02), venue[1] + self.rng.gauss(0, 0.02))

    def add_township(self, county: CityOrg, code: str, box: Box, branch_count: int) -> None:
        place = self.place()
        while place in self.town_places:
            place = self.place()
        self.town_places.add(place)
        domain = "community" if self.rng.random() < 0.25 else "rural"
        town, committee = (place + "街道", "党工委") if domain == "community" else (place + "镇", "党委")
        centre = box.random_point(self.rng)
        township = self.add(county, code, town + committee, "township", domain, "regular", centre)
        under_general_branches = self.add_general_branches(township, town, branch_count, centre, box)
        for number in range(1, branch_count - under_general_branches + 1):
            branch_domain = self.rng.choices(DOMAINS, BRANCH_DOMAIN_WEIGHTS[domain])[0]
            kind = self.rng.choices(KINDS, KIND_WEIGHTS)[0]
            self.add(
                township,
                f"{code}-{number:04d}",
                self.branch_stem(branch_domain, town) + KIND_SUFFIX[kind],
                "branch",
                branch_domain,
                kind,
                self.near(centre, box),
            )

    def add_general_branches(
        self, township: CityOrg, town: str, branch_count: int, centre: tuple[float, float], box: Box
    ) -> int:
        """A third of the townships group some branches under general branches; returns how many."""
        if self.rng.random() >= 0.35:
            return 0
        grouped = 0
        for number in range(1, self.rng.randint(1, 3) + 1):
            size = self.rng.randint(3, 8)
            if grouped + size > branch_count - BRANCH_SIZE[0]:
                break
            domain, system = self.rng.choice(GENERAL_BRANCH_SYSTEMS)
            general = self.add(
                township,
                f"{township.code}-G{number}",
                f"{town}{system}党总支",
                "general_branch",
                domain,
                "regular",
                self.near(centre, box),
            )
            for branch in range(1, size + 1):
                kind = self.rng.choices(KINDS, KIND_WEIGHTS)[0]
                self.add(
                    general,
                    f"{general.code}-{branch:04d}",
                    f"{town}{system}第{NUMERALS[branch]}{KIND_SUFFIX[kind]}",
                    "branch",
                    domain,
                    kind,
                    self.near(centre, box),
                )
            grouped += size
        return grouped

    def branch_stem(self, domain: str, town: str) -> str:
        if domain == "rural":
            return self.place() + "村"
        if domain == "community":
            return self.place() + "社区"
        if domain == "private_enterprise":
            return f"汉中{self.place()}{self.rng.choice(INDUSTRIES)}有限公司"
        return town + self.rng.choice(TOWN_UNITS[domain])

    def add_members(self, branch: CityOrg, count: int) -> None:
        rng = self.rng
        mobile_share = 0.5 if branch.kind == "mobile" else 0.065
        for _ in range(count):
            probationary = rng.random() < 0.03
            self.members.append(
                CityMember(
                    id=_uuid(rng),
                    name=self.person_name(),
                    phone=self.phone(),
                    branch_id=branch.id,
                    branch_path=branch.path,
                    mobile=rng.random() < mobile_share,
                    probationary=probationary,
                    lost_contact=rng.random() < 0.006,
                    joined_on=self.joined_on(probationary),
                )
            )

    def person_name(self) -> str:
        given_length = 2 if self.rng.random() < 0.75 else 1
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN_NAME_CHARACTERS, k=given_length))

    def phone(self) -> str:
        phone = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
        while phone in self.phones:
            phone = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
        self.phones.add(phone)
        return phone

    def joined_on(self, probationary: bool) -> date:
        """Probationary members joined within the last year; the others since 1960, more of them lately."""
        if probationary:
            return PROBATION_START + timedelta(days=self.rng.randrange((LATEST_JOINING - PROBATION_START).days))
        span = (PROBATION_START - EARLIEST_JOINING).days - 1
        return EARLIEST_JOINING + timedelta(days=int(self.rng.triangular(0, span, span * 0.75)))


ORG_COLUMNS = (
    "id",
    "code",
    "name",
    "parent_id",
    "level",
    "domain",
    "kind",
    "path",
    "venue_lat",
    "venue_lon",
    "created_at",
)
MEMBER_COLUMNS = (
    "id",
    "name",
    "phone",
    "branch_id",
    "probationary",
    "mobile",
    "joined_on",
    "lost_contact",
    "active",
    "password_hash",
    "created_at",
)
OUTBOX_COLUMNS = ("event_id", "event_type", "body", "correlation_id", "created_at", "attempts")
SQLITE_BATCH = 10_000


def load_city(url: str, seed: int, password: str) -> dict:
    """Write the city of `seed` into the migrated directory database at `url`, in one transaction.

    Every generated member gets the same password. Each organisation and member is announced by an
    `org_created` or `member_joined` outbox row, organisations first and parents before children.
    If the database has a city node already, the counties are attached under it. Raises
    CityLoadRefused when the city's codes or phones are already there.
    """
    started = time.perf_counter()
    with _psycopg2_blocking():
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                city = generate_city(seed, root=_existing_root(connection))
                _refuse_duplicates(connection, city, seed)
                _write_city(connection, city, hash_password(password))
        finally:
            engine.dispose()
    return {
        "orgs": len(city.orgs),
        "members": len(city.members),
        "branches": city.count("branch"),
        "counties": city.count("county"),
        "townships": city.count("township"),
        "seconds": round(time.perf_counter() - started, 1),
    }


@contextmanager
def _psycopg2_blocking():
    """psycopg2 refuses COPY while a green wait callback is set, as eventlet's monkey patching does
    under nameko; this one-off batch job may block the event loop instead."""
    callback = psycopg2_extensions.get_wait_callback()
    psycopg2_extensions.set_wait_callback(None)
    try:
        yield
    finally:
        psycopg2_extensions.set_wait_callback(callback)


def _write_city(connection: Connection, city: City, password_hash: str) -> None:
    now = utcnow()
    if connection.dialect.name == "postgresql":
        # The outbox COPY can outlast the engine's per-statement guard against runaway queries.
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        write = _copy
    else:
        write = _insert_batches
    write(connection, "orgs", ORG_COLUMNS, _org_rows(city, now))
    write(connection, "members", MEMBER_COLUMNS, _member_rows(city, password_hash, now))
    write(connection, OUTBOX, OUTBOX_COLUMNS, _outbox_rows(city, now))


def _existing_root(connection: Connection) -> CityOrg | None:
    row = connection.execute(
        select(Org.id, Org.code, Org.name, Org.domain, Org.kind, Org.path, Org.venue_lat, Org.venue_lon)
        .where(Org.level == "city")
        .order_by(Org.created_at, Org.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return CityOrg(
        id=row.id,
        code=row.code,
        name=row.name,
        parent_id=None,
        level="city",
        domain=row.domain,
        kind=row.kind,
        path=row.path,
        venue_lat=row.venue_lat,
        venue_lon=row.venue_lon,
    )


def _refuse_duplicates(connection: Connection, city: City, seed: int) -> None:
    existing_codes = set(connection.scalars(select(Org.code)))
    taken_codes = [org.code for org in city.orgs if org.code in existing_codes]
    if taken_codes:
        raise CityLoadRefused(
            f"the synthetic city (seed {seed}) is already loaded: {len(taken_codes):,} of its organisation "
            f"codes exist, e.g. {taken_codes[0]}"
        )
    existing_phones = set(connection.scalars(select(Member.phone)))
    taken_phones = [member.phone for member in city.members if member.phone in existing_phones]
    if taken_phones:
        raise CityLoadRefused(
            f"{len(taken_phones):,} phone numbers of the synthetic city (seed {seed}) are already registered, "
            f"e.g. {taken_phones[0]}"
        )


def _org_rows(city: City, now: datetime) -> Iterator[tuple]:
    for org in city.orgs:
        yield (
            org.id,
            org.code,
            org.name,
            org.parent_id,
            org.level,
            org.domain,
            org.kind,
            org.path,
            org.venue_lat,
            org.venue_lon,
            now,
        )


def _member_rows(city: City, password_hash: str, now: datetime) -> Iterator[tuple]:
    for member in city.members:
        yield (
            member.id,
            member.name,
            member.phone,
            member.branch_id,
            member.probationary,
            member.mobile,
            member.joined_on,
            member.lost_contact,
            True,
            password_hash,
            now,
        )


def _outbox_rows(city: City, now: datetime) -> Iterator[tuple]:
    for org in city.orgs:
        yield _event_row(
            "org_created",
            OrgCreated(**orgs.view(org)).model_dump(mode="json"),
            now,
        )
    for member in city.members:
        yield _event_row(
            "member_joined",
            MemberJoined(
                member_id=member.id,
                name=member.name,
                branch_id=member.branch_id,
                branch_path=member.branch_path,
                mobile=member.mobile,
                probationary=member.probationary,
                lost_contact=member.lost_contact,
                active=True,
                joined_on=member.joined_on,
            ).model_dump(mode="json"),
            now,
        )


def _event_row(event_type: str, data: dict, now: datetime) -> tuple:
    envelope = Envelope(
        event_type=event_type,
        source="directory",
        data=data,
        version=1,
        occurred_at=now.isoformat(),
        correlation_id=None,
    )
    return envelope.event_id, event_type, envelope.to_message(), None, now, 0


def _copy(connection: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY in CSV, where an unquoted empty field is NULL."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(tuple(map(_csv_field, row)) for row in rows)
    buffer.seek(0)
    cursor = connection.connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()


def _csv_field(value):
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _insert_batches(connection: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    statement = insert(metadata.tables[table])
    rows = iter(rows)
    while batch := list(islice(rows, SQLITE_BATCH)):
        connection.execute(statement, [dict(zip(columns, row)) for row in batch])
