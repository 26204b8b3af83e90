"""Policy variables: substitution in condition values, and Resource patterns whose variables are
literal while the policy's own wildcards are not."""

from __future__ import annotations

from lakebox.services.s3.policy_variables import has_variables, resource_pattern, substitute


class Keys:
    def __init__(self, **values):
        self.values = {k.replace("_", ":", 1): v for k, v in values.items()}

    def get(self, key):
        return self.values.get(key)


ALICE = Keys(aws_username=("alice",), aws_userid=("AIDA1",), s3_prefix=("a", "b"))


def test_variables_are_replaced_by_the_requests_single_values():
    assert has_variables("home/${aws:username}/") and not has_variables("home/$alice")
    assert substitute("home/${aws:username}/${aws:userid}", ALICE) == "home/alice/AIDA1"
    assert substitute("home/${AWS:UserName}", ALICE) == "home/alice"  # keys are case-insensitive
    assert substitute("${aws:username, 'guest'}", Keys()) == "guest"
    assert substitute("${aws:username}", Keys()) is None
    assert substitute("${s3:prefix}", ALICE) is None  # a key with several values is no single value
    assert substitute("${*}${?}${$}", Keys()) == "*?$"


def test_a_resource_pattern_keeps_the_policys_wildcards_and_matches_values_literally():
    pattern = resource_pattern("arn:aws:s3:::b/home/${aws:username}/*", ALICE)
    assert pattern.fullmatch("arn:aws:s3:::b/home/alice/x/y") and not pattern.fullmatch("arn:aws:s3:::b/home/bob/x")
    starred = resource_pattern("arn:aws:s3:::b/${aws:username}", Keys(aws_username=("a*",)))
    assert starred.fullmatch("arn:aws:s3:::b/a*") and not starred.fullmatch("arn:aws:s3:::b/abc")
    literal = resource_pattern("arn:aws:s3:::b/${?}", Keys())
    assert literal.fullmatch("arn:aws:s3:::b/?") and not literal.fullmatch("arn:aws:s3:::b/x")
    assert resource_pattern("arn:aws:s3:::b/${aws:username}", Keys()) is None
