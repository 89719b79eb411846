from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from partyday_directory.orgs import check_placement, child_path
from partyday_directory_contracts.rpc import PHONE
from partyday_directory_dev.city import CITY_BOX, MEMBERS, generate_city

SEED = 20261121


@pytest.fixture(scope="module")
def city():
    return generate_city(SEED)


@pytest.fixture(scope="module")
def branch_sizes(city):
    return Counter(member.branch_id for member in city.members)


def test_the_city_has_the_size_of_hanzhong(city):
    levels = Counter(org.level for org in city.orgs)
    assert levels["city"] == 1 and city.orgs[0] == city.root
    assert 10 <= levels["county"] <= 14
    assert 180 <= levels["township"] <= 220
    assert levels["general_branch"] > 0
    assert len(city.orgs) >= 9_000
    assert len(city.members) == MEMBERS == 208_000


def test_every_branch_has_5_to_60_members(city, branch_sizes):
    branches = {org.id for org in city.orgs if org.level == "branch"}
    assert set(branch_sizes) == branches
    assert all(5 <= size <= 60 for size in branch_sizes.values())


def test_members_carry_their_branch_path(city):
    paths = {org.id: org.path for org in city.orgs}
    assert all(member.branch_path == paths[member.branch_id] for member in city.members)


def test_the_tree_nests_by_level(city):
    by_id = {org.id: org for org in city.orgs}
    seen = set()
    for org in city.orgs:
        parent = by_id.get(org.parent_id) if org.parent_id else None
        assert org.parent_id is None or org.parent_id in seen, "parents come before their children"
        check_placement(org.level, parent.level if parent else None)
        assert org.path == child_path(parent.path if parent else None, org.id)
        seen.add(org.id)


def test_domains_and_kinds_are_mixed(city):
    branches = [org for org in city.orgs if org.level == "branch"]
    domains = Counter(org.domain for org in branches)
    kinds = Counter(org.kind for org in branches)
    assert set(domains) == {
        "rural",
        "community",
        "government",
        "institution",
        "state_enterprise",
        "private_enterprise",
        "social_org",
        "school",
        "other",
    }
    assert [domain for domain, _ in domains.most_common(2)] == ["rural", "community"]
    assert kinds.most_common(1)[0][0] == "regular" and kinds["joint"] > 0 and kinds["mobile"] > 0


def test_member_flags_have_plausible_shares(city):
    members = len(city.members)
    assert 0.07 <= sum(member.mobile for member in city.members) / members <= 0.09
    assert 0 < sum(member.probationary for member in city.members) < members * 0.1
    assert 0 < sum(member.lost_contact for member in city.members) < members * 0.02
    assert all(date(1960, 1, 1) <= member.joined_on <= date(2025, 12, 31) for member in city.members)
    assert all(2 <= len(member.name) <= 3 for member in city.members)


def test_every_venue_is_inside_the_city(city):
    for org in city.orgs:
        assert org.venue_lat is not None and org.venue_lon is not None
        assert CITY_BOX.contains(org.venue_lat, org.venue_lon), org.code


def test_phones_codes_and_ids_are_unique_and_well_formed(city):
    phones = [member.phone for member in city.members]
    assert len(set(phones)) == len(phones)
    assert all(PHONE.fullmatch(phone) for phone in phones)
    codes = [org.code for org in city.orgs]
    assert len(set(codes)) == len(codes)
    ids = [org.id for org in city.orgs] + [member.id for member in city.members]
    assert len(set(ids)) == len(ids)
    assert all(len(identifier) == 32 and int(identifier, 16) >= 0 for identifier in ids)


def test_the_same_seed_gives_the_same_city(city):
    assert generate_city(SEED) == city


def test_another_seed_gives_another_city(city):
    other = generate_city(SEED + 1)
    assert other.root.id != city.root.id
    assert {member.phone for member in other.members} != {member.phone for member in city.members}


def test_an_existing_root_adopts_the_counties(city):
    existing = replace(city.root, id="existing", code="HZ", path="/existing/")
    attached = generate_city(SEED, root=existing)
    assert attached.root == existing and existing not in attached.orgs
    assert len(attached.orgs) == len(city.orgs) - 1
    counties = [org for org in attached.orgs if org.level == "county"]
    assert all(county.parent_id == "existing" for county in counties)
    assert all(org.path.startswith("/existing/") for org in attached.orgs)
    assert [member.id for member in attached.members] == [member.id for member in city.members]
