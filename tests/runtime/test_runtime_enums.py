"""Open enums of every value type: known members as usual, unknown values kept and reported."""

from __future__ import annotations

from enode_codegen.runtime._enums import OpenEnum, OpenFloatEnum, OpenIntEnum
from enode_codegen.runtime._strict import find_unknowns


class Status(OpenIntEnum):
    OK = 200
    NOT_FOUND = 404


class Ratio(OpenFloatEnum):
    HALF = 0.5


class Colour(OpenEnum):
    RED = "RED"


def test_known_members_behave_as_plain_enums() -> None:
    assert Status(404) is Status.NOT_FOUND and Status.NOT_FOUND == 404
    assert Ratio(0.5) is Ratio.HALF and repr(Ratio.HALF) == "<Ratio.HALF: 0.5>"
    assert Colour("RED") is Colour.RED


def test_unknown_values_are_kept_and_found_by_strict_mode() -> None:
    teapot, third, mauve = Status(418), Ratio(1 / 3), Colour("MAUVE")
    assert (teapot, teapot.is_known, repr(teapot)) == (418, False, "<Status unknown: 418>")
    assert third == 1 / 3 and not third.is_known
    assert find_unknowns({"status": teapot, "ratio": third, "colour": mauve}) == [
        "$['status']: unknown Status value 418",
        f"$['ratio']: unknown Ratio value {1 / 3!r}",
        "$['colour']: unknown Colour value 'MAUVE'",
    ]
    assert find_unknowns([Status.OK, Ratio.HALF, Colour.RED]) == []
