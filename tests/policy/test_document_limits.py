"""A policy document is read in bounded time and memory, and its problems are shown in a bounded
list: deep nesting, a huge document or a huge list is one clear problem, never a RecursionError,
and thousands of problems are shown as the first 20 and a count of the rest."""

import pytest

from helpdesk.policy import PolicyError, load_policy_file, parse_policy
from helpdesk.policy.errors import shown_problems
from helpdesk.policy.limits import MAX_DOCUMENT_BYTES, MAX_NESTING, toml_depth
from tests.policy.support import CALENDAR, DOCUMENT, problems

TOO_DEEP = f"document: arrays and inline tables nested deeper than {MAX_NESTING} levels"


def nested_arrays(levels: int) -> str:
    return "x = " + "[" * levels + "]" * levels + "\n"


def many_bad_holidays(count: int) -> str:
    holidays = ", ".join(f'"day {i}"' for i in range(count))
    return DOCUMENT + CALENDAR.replace(
        "[calendar.hours]", f"holidays = [{holidays}]\n[calendar.hours]"
    )


class TestNesting:
    @pytest.mark.parametrize(
        "text",
        [
            nested_arrays(5000),
            "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
            "x = " + "[{a = " * 2000 + "1" + "}]" * 2000 + "\n",
        ],
        ids=["arrays", "inline tables", "both"],
    )
    def test_deep_nesting_is_one_problem(self, text):
        assert problems(DOCUMENT + CALENDAR + text) == (TOO_DEEP,)

    def test_nesting_up_to_the_limit_is_read(self):
        assert problems(nested_arrays(MAX_NESTING) + DOCUMENT + CALENDAR) == ("x: unknown key",)

    def test_brackets_in_strings_and_comments_are_not_nesting(self):
        brackets = "[{" * 500
        text = (
            DOCUMENT
            + CALENDAR
            + f"# {brackets}\n"
            + f'[complaints]\nprocedure = """{brackets} \\""" still a string {brackets}"""\n'
            + f"[surveys]\nquestion = '{brackets}'\n"
        )

        policy = parse_policy(text)

        assert policy.complaints.procedure.startswith("[{[{")
        assert policy.surveys.question == brackets

    @pytest.mark.parametrize(
        ("text", "depth"),
        [
            ("a = 1", 0),
            ("[table]\na = [1, [2]]", 2),
            ('a = "[[[["', 0),
            ("a = '[[[['", 0),
            ('a = "\\"[[" # [[[', 0),
            ('a = """\n[[\n"""', 0),
            ("a = '''\n[[\n'''", 0),
            ('a = """x""""\nb = [[1]]', 2),
            ('a = "unterminated [[\nb = [1]', 1),
            ("a = [ # ]]]]\n[1]]", 2),
        ],
    )
    def test_depth_skips_strings_and_comments(self, text, depth):
        assert toml_depth(text) == depth


class TestSize:
    def test_a_document_over_the_limit_is_one_problem(self):
        text = DOCUMENT + CALENDAR + "# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 1)

        (problem,) = problems(text)

        assert problem.startswith("document: ") and "at most 256 KB" in problem

    def test_a_file_over_the_limit_is_not_read_whole(self, tmp_path):
        path = tmp_path / "huge.toml"
        path.write_bytes(b"#" * (MAX_DOCUMENT_BYTES * 4))

        with pytest.raises(PolicyError) as raised:
            load_policy_file(path)

        assert raised.value.problems == (f"{path}: too large; a policy document is at most 256 KB",)


class TestLongLists:
    def test_a_50000_entry_hours_list_is_one_problem(self):
        hours = ", ".join(["1"] * 50_000)
        text = DOCUMENT + CALENDAR.replace('mon = ["09:00-17:00"]', f"mon = [{hours}]")

        assert problems(text) == ("calendar.hours.mon: 50,000 entries; at most 1,000 are allowed",)

    def test_too_many_escalation_levels(self):
        levels = '[[escalation]]\nafter = "1h"\nnotify = "manager"\n' * 1001

        assert problems(DOCUMENT + CALENDAR + levels) == (
            "escalation: 1,001 entries; at most 1,000 are allowed",
        )

    def test_every_problem_is_still_found(self):
        assert len(problems(many_bad_holidays(500))) == 500


class TestShownProblems:
    def test_the_first_20_and_a_count_of_the_rest(self):
        shown = shown_problems([f"calendar.hours.mon[{i}]: bad" for i in range(49_999)])

        assert len(shown) == 21
        assert shown[:2] == ["calendar.hours.mon[0]: bad", "calendar.hours.mon[1]: bad"]
        assert shown[19] == "calendar.hours.mon[19]: bad"
        assert shown[20] == "... and 49,979 more errors"

    @pytest.mark.parametrize(
        ("count", "last"),
        [(20, "p19"), (21, "... and 1 more error"), (22, "... and 2 more errors")],
    )
    def test_the_count_line_only_when_there_are_more(self, count, last):
        assert shown_problems([f"p{i}" for i in range(count)])[-1] == last

    def test_a_policy_error_shows_a_capped_list(self):
        with pytest.raises(PolicyError) as raised:
            parse_policy(many_bad_holidays(500))

        assert raised.value.shown()[-1] == "... and 480 more errors"
        assert len(raised.value.problems) == 500
