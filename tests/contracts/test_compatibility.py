"""The comparison behind the events contract test, on small made-up producer and consumer models."""

from datetime import datetime
from enum import Enum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from tests.contracts.compatibility import unmet_expectations


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ThingMade(BaseModel):
    thing_id: str
    count: int
    weight: float
    made_at: datetime
    colour: Literal["red", "green"]
    note: str | None = None
    tags: list[str] = Field(default_factory=list)


class ThingExpected(Expected):
    thing_id: str
    count: int
    made_at: datetime


def test_a_consumer_reading_some_of_the_producers_fields_is_satisfied():
    assert unmet_expectations(ThingExpected, ThingMade) == []


def test_a_field_the_consumer_requires_and_the_producer_lacks_is_named():
    class WantsOwner(ThingExpected):
        owner_id: str

    assert unmet_expectations(WantsOwner, ThingMade) == [
        "owner_id: required by the consumer, not in the producer's schema"
    ]


def test_a_field_the_consumer_may_go_without_is_compared_only_when_the_producer_writes_it():
    class Lenient(ThingExpected):
        owner_id: str | None = None
        colour: str = "red"
        tags: list[int] = []

    assert unmet_expectations(Lenient, ThingMade) == [
        "tags[]: the producer may write string, the consumer accepts integer"
    ]


def test_a_defaulted_producer_field_is_always_written_so_a_consumer_may_require_it():
    class WantsTags(Expected):
        tags: list[str]

    assert unmet_expectations(WantsTags, ThingMade) == []


def test_a_value_the_producer_may_leave_null_does_not_satisfy_a_consumer_that_requires_one():
    class WantsNote(Expected):
        note: str

    class TakesNoNote(Expected):
        note: str | None

    assert unmet_expectations(WantsNote, ThingMade) == [
        "note: the producer may write null, the consumer accepts string"
    ]
    assert unmet_expectations(TakesNoNote, ThingMade) == []


def test_json_types_must_agree_and_an_integer_is_a_number():
    class ReadsWeightAsInteger(Expected):
        weight: int

    class ReadsCountAsNumber(Expected):
        count: float

    class ReadsIdAsInteger(Expected):
        thing_id: int

    assert unmet_expectations(ReadsWeightAsInteger, ThingMade) == [
        "weight: the producer may write number, the consumer accepts integer"
    ]
    assert unmet_expectations(ReadsCountAsNumber, ThingMade) == []
    assert unmet_expectations(ReadsIdAsInteger, ThingMade) == [
        "thing_id: the producer may write string, the consumer accepts integer"
    ]


def test_a_format_the_consumer_reads_must_be_the_producers():
    class ReadsIdAsUuid(Expected):
        thing_id: UUID

    class ReadsTimeAsText(Expected):
        made_at: str

    assert unmet_expectations(ReadsIdAsUuid, ThingMade) == [
        "thing_id: the consumer reads a uuid string, the producer writes string"
    ]
    assert unmet_expectations(ReadsTimeAsText, ThingMade) == []


def test_literal_and_enum_values_the_producer_writes_must_be_ones_the_consumer_accepts():
    class Colour(str, Enum):
        RED = "red"
        GREEN = "green"
        BLUE = "blue"

    class ReadsAnyKnownColour(Expected):
        colour: Colour

    class ReadsRedOnly(Expected):
        colour: Literal["red"]

    class ReadsCountAsLiteral(Expected):
        count: Literal[1, 2]

    assert unmet_expectations(ReadsAnyKnownColour, ThingMade) == []
    assert unmet_expectations(ReadsRedOnly, ThingMade) == [
        "colour: the producer may write ['green'], the consumer accepts only ['red']"
    ]
    assert unmet_expectations(ReadsCountAsLiteral, ThingMade) == [
        "count: the consumer accepts only [1, 2], the producer may write any integer"
    ]


class Place(BaseModel):
    name: str
    latitude: float


class Details(TypedDict, total=False):
    remark: str


class Visit(BaseModel):
    place: Place
    stops: list[Place]
    details: Details


def test_nested_objects_and_array_items_are_compared_field_by_field():
    class PlaceExpected(Expected):
        name: str
        longitude: float

    class VisitExpected(Expected):
        place: PlaceExpected
        stops: list[PlaceExpected]

    assert unmet_expectations(VisitExpected, Visit) == [
        "place.longitude: required by the consumer, not in the producer's schema",
        "stops[].longitude: required by the consumer, not in the producer's schema",
    ]


def test_a_field_the_producer_may_leave_out_does_not_satisfy_a_consumer_that_requires_it():
    class DetailsExpected(Expected):
        remark: str

    class VisitExpected(Expected):
        details: DetailsExpected

    assert unmet_expectations(VisitExpected, Visit) == [
        "details.remark: required by the consumer, optional in the producer's schema"
    ]


def test_a_consumer_that_forbids_extra_fields_is_told_which_the_producer_writes():
    class StrictPlace(BaseModel):
        model_config = ConfigDict(extra="forbid")

        name: str

    assert unmet_expectations(StrictPlace, Place) == ["latitude: written by the producer, forbidden by the consumer"]


def test_a_payload_of_anything_satisfies_only_a_consumer_that_takes_anything():
    class Loose(BaseModel):
        value: object

    class Reader(Expected):
        value: str

    class TakesAnything(Expected):
        value: object

    assert unmet_expectations(Reader, Loose) == ["value: the producer may write anything, the consumer accepts string"]
    assert unmet_expectations(TakesAnything, Loose) == []
