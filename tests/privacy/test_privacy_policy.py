"""Reading `[privacy]` and `[retention]` (POLICY.md, "Format version 2": Privacy)."""

import pickle

import pytest

from helpdesk.policy import parse_policy
from helpdesk.policy.privacy import MASK_KINDS
from tests.policy.support import CALENDAR, DOCUMENT, problems

BASE = DOCUMENT + CALENDAR


def test_left_out_every_kind_is_masked_and_everything_is_kept():
    policy = parse_policy(BASE)
    assert policy.privacy.mask == ("card", "ssn", "nino", "driving_licence") == MASK_KINDS
    retention = policy.retention
    kept = (retention.chat_transcripts, retention.raw_email, retention.secure_details)
    assert kept == (None, None, None) and retention.closed_cases is None


def test_the_kinds_named_are_masked_and_an_empty_list_masks_nothing():
    assert parse_policy(BASE + '[privacy]\nmask = ["nino", "card"]\n').privacy.mask == (
        "card",
        "nino",
    )
    assert parse_policy(BASE + "[privacy]\nmask = []\n").privacy.mask == ()


def test_retention_reads_elapsed_days():
    policy = parse_policy(
        BASE + '[retention]\nchat_transcripts = "730d"\nraw_email = "90d"\n'
        'secure_details = "30d"\nclosed_cases = "2190d"\n'
    )
    assert policy.retention.raw_email.amount == 90 * 86_400
    assert policy.to_dict()["retention"] == {
        "chat_transcripts": "730d",
        "raw_email": "90d",
        "secure_details": "30d",
        "closed_cases": "2190d",
    }
    assert policy.to_dict()["privacy"] == {"mask": list(MASK_KINDS)}
    assert pickle.loads(pickle.dumps(policy)) == policy  # noqa: S301 (our own bytes)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '[privacy]\nmask = ["card", "passport"]\n',
            'privacy.mask[1]: "passport" is not a kind of number '
            "(card, ssn, nino, driving_licence)",
        ),
        ('[privacy]\nmask = ["card", "card"]\n', 'privacy.mask[1]: "card" is listed twice'),
        ('[privacy]\nmask = "card"\n', "privacy.mask: must be an array, not a string"),
        ("[privacy]\nmasks = []\n", 'privacy.masks: unknown key (did you mean "mask"?)'),
        (
            '[retention]\nraw_email = "90h"\n',
            'retention.raw_email: "90h" is service time; retention counts elapsed days from '
            'closing (e.g. "90d")',
        ),
        (
            '[retention]\nclosed_cases = "10wd"\n',
            'retention.closed_cases: "10wd" is working days; retention counts elapsed days '
            'from closing (e.g. "90d")',
        ),
        ('[retention]\nraw_email = "ninety days"\n', 'retention.raw_email: "ninety days" is not'),
        ('[retention]\nchats = "1d"\n', "retention.chats: unknown key"),
    ],
)
def test_problems_name_their_key(extra, expected):
    assert any(p.startswith(expected) for p in problems(BASE + extra)), problems(BASE + extra)
