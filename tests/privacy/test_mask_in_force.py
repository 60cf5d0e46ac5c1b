"""The kinds in force are read once, not on every line (a chat line is a hot path)."""

import pytest

from helpdesk.privacy.services import forget_mask_kinds, mask_text
from helpdesk.services.policy import ensure_policy_in_force

pytestmark = pytest.mark.django_db


def test_masking_asks_the_database_once(django_assert_num_queries):
    ensure_policy_in_force()
    forget_mask_kinds()
    with django_assert_num_queries(1):
        mask_text("card 4111 1111 1111 1111")
    with django_assert_num_queries(0):
        for _ in range(100):
            assert mask_text("card 4111 1111 1111 1111").text == "card [card removed]"


def test_without_any_version_everything_is_masked():
    forget_mask_kinds()
    assert mask_text("licence MORGA753116SM9IJ").text == "licence [driving licence removed]"
    forget_mask_kinds()
