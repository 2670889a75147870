"""The built-in spam filter: each signal, its reasons, and its behaviour on hostile input."""

from __future__ import annotations

import pluggy
import pytest

import plugins.spam
from plugins import hookspecs
from plugins.spam import moderation_verdict
from plugins.types import ModerationSettings, Submission, Verdict

CLEAN = ("Solid band. I use it three times a week for rows and presses, and after two months "
         "it still has the same pull. The loops could be a little longer, but I'd buy it again.")


def submission(body: str = CLEAN, **fields) -> Submission:
    values = {"kind": "review", "id": 1, "author_name": "Robin", "email": "robin@example.com",
              "target_type": "product", "target_slug": "resistance-band", "body": body}
    return Submission(**(values | fields))


def judge(body: str = CLEAN, *, banned: tuple[str, ...] = (), max_links: int = 2,
          **fields) -> Verdict:
    return moderation_verdict(
        submission=submission(body, **fields),
        settings=ModerationSettings(banned_words=banned, max_links=max_links))


def test_an_ordinary_review_is_clean():
    verdict = judge(title="Does the job", rating=5, banned=("viagra", "casino"))
    assert verdict == Verdict(spam=False, score=0.0, reasons=())


def test_clean_text_with_dots_and_email_addresses_has_no_links():
    verdict = judge("Works with Node.js, e.g. at 3.50 a set; ask bob@example.com, St.Louis.")
    assert verdict == Verdict(spam=False, score=0.0, reasons=())


def test_a_filled_in_honeypot_is_spam_for_certain():
    verdict = judge(honeypot="  http://bot.example  ")
    assert verdict.spam
    assert verdict.score == 1.0
    assert "honeypot field filled in" in verdict.reasons


def test_a_blank_honeypot_counts_for_nothing():
    assert judge(honeypot="   \n") == Verdict(spam=False, score=0.0, reasons=())


@pytest.mark.parametrize("link", [
    "https://example.com/deal",
    "http://example.com",
    "www.example.org",
    "example.com/path?x=1",
    "shop.example.net",
    "[a deal](https://example.com/deal)",
    '<a href="https://example.com">example.com</a>',
    "ＨＴＴＰＳ://example.com",
])
def test_each_form_of_link_counts_once(link):
    over = judge(f"Look: {link} and nothing else to say here.", max_links=0)
    assert over.spam
    assert "1 link (at most 0 allowed)" in over.reasons
    at_limit = judge(f"Look: {link} and nothing else to say here.", max_links=1)
    assert not at_limit.spam


def test_more_links_than_allowed_is_spam():
    body = ("Cheap bands at https://a.example.com, www.b-example.org, c-example.net/buy, "
            "[here](http://d.example.com) and <a href='http://e.example.com'>there</a>.")
    verdict = judge(body, max_links=2)
    assert verdict.spam
    assert "5 links (at most 2 allowed)" in verdict.reasons
    assert verdict.score >= 0.5


def test_links_in_the_title_count_too():
    verdict = judge("See the title.", title="www.a.com www.b.com www.c.com", max_links=2)
    assert verdict.spam
    assert "3 links (at most 2 allowed)" in verdict.reasons


def test_links_at_the_limit_raise_the_score_a_little_but_are_not_spam():
    verdict = judge("Instructions at https://example.com/a and a video at www.example.org/v, "
                    "both helpful.", max_links=2)
    assert not verdict.spam
    assert 0.0 < verdict.score < 0.5
    assert verdict.reasons == ("2 links (the most allowed)",)


@pytest.mark.parametrize("body", [
    "Great band, but the casino next door is loud.",
    "Great band, but the CASINO next door is loud.",
    "Great band, but the Casino!",
    "Great band, but the ｃａｓｉｎｏ next door is loud.",  # fullwidth letters
])
def test_a_banned_word_is_spam_whatever_its_case_or_width(body):
    verdict = judge(body, banned=("Casino",))
    assert verdict.spam
    assert "banned word: Casino" in verdict.reasons


def test_banned_words_match_only_whole_words():
    verdict = judge("A classic: this class of band passes every test, assuredly.",
                    banned=("ass",))
    assert verdict == Verdict(spam=False, score=0.0, reasons=())
    assert judge("What an ass.", banned=("ass",)).spam


def test_banned_words_are_unicode_aware():
    assert judge("Sehr gut, die STRASSE entlang getragen.", banned=("straße",)).spam
    assert judge("Это СПАМ, купите!", banned=("спам",)).reasons == ("banned word: спам",)
    # A longer word made of the banned one and more letters is another word.
    assert not judge("Никакой спамер не пройдёт.", banned=("спам",)).spam
    assert not judge("Un café crème, casinoé.", banned=("casino",)).spam


def test_banned_phrases_and_title_are_checked():
    verdict = judge("Solid band.", title="Buy   now", banned=("buy now", "viagra"))
    assert verdict.spam
    assert verdict.reasons == ("banned word: buy now",)


def test_every_banned_word_found_is_named_once():
    verdict = judge("Casino, viagra and more casino.", banned=("casino", "viagra", "loans"))
    assert verdict.reasons == ("banned word: casino", "banned word: viagra")


def test_the_same_text_sent_again_is_spam():
    earlier = ("  solid BAND.  I use it three times a week for rows and presses, and after two "
               "months\n\nit still has the same pull. The loops could be a little longer, but "
               "I'd buy it again.")
    verdict = judge(recent_bodies=("Something else entirely.", earlier))
    assert verdict.spam
    assert verdict.reasons == ("same text sent before",)


def test_different_text_from_the_same_sender_is_not_a_repeat():
    verdict = judge(recent_bodies=("My first review of another band.",))
    assert verdict == Verdict(spam=False, score=0.0, reasons=())


def test_shouting_raises_the_score_but_is_not_spam_alone():
    verdict = judge("THIS BAND IS THE BEST THING I HAVE EVER BOUGHT, FIVE STARS!")
    assert not verdict.spam
    assert verdict.score > 0.0
    assert verdict.reasons == ("mostly capital letters",)


def test_a_few_capitals_are_not_shouting():
    assert judge("OK GOOD").score == 0.0  # too few letters to tell
    assert judge("I love the NASA-grade LATEX of this band, really good.").score == 0.0


def test_a_long_run_of_one_character_raises_the_score_but_is_not_spam_alone():
    verdict = judge("Love it" + "!" * 30)
    assert not verdict.spam
    assert verdict.score > 0.0
    assert verdict.reasons == ("'!' repeated 30 times",)


def test_a_body_that_is_only_a_link_raises_the_score_but_is_not_spam_alone():
    verdict = judge("  https://example.com/cheap-bands  ")
    assert not verdict.spam
    assert verdict.score > 0.0
    assert verdict.reasons == ("text is only a link",)


def test_weak_signals_add_up_without_making_spam():
    verdict = judge("WWW.EXAMPLE.COM!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", max_links=5,
                    title="BEST BANDS EVER HERE")
    assert not verdict.spam
    assert len(verdict.reasons) == 3
    assert 0.0 < verdict.score <= 1.0


def test_the_score_never_goes_above_one():
    verdict = judge("CASINO CASINO VIAGRA www.a.com www.b.com www.c.com!!!!!!!!!!!!!!!!!!!!",
                    honeypot="x", banned=("casino", "viagra"), recent_bodies=("x",),
                    max_links=1)
    assert verdict.spam
    assert verdict.score == 1.0


@pytest.mark.parametrize("body", [
    "a" * 5000,
    "a." * 2500,
    "a-" * 2500,
    ("a" * 63 + ".") * 78,
    "[a](" + "x " * 2498,
    "[" * 5000,
    "<a " + "href " * 999,
    "<a href" * 714,
    "http://" + "x" * 4993,
    "www." * 1250,
    "x.com/" * 833,
    "aaaaaaaaaaa!" * 416,
    "ＡＢＣ" * 1666,
    "ﷺ" * 5000,  # one character that NFKC turns into eighteen
])
def test_hostile_bodies_of_the_largest_size_are_judged(body):
    verdict = judge(body[:5000], title="T" * 120,
                    banned=tuple(f"word{i}" for i in range(100)) + ("buy now",))
    assert isinstance(verdict, Verdict)
    assert 0.0 <= verdict.score <= 1.0


def test_reasons_are_short_readable_strings():
    verdict = judge("BUY CASINO CHIPS AT WWW.A.COM WWW.B.COM WWW.C.COM!!!!!!!!!!!!!!!!!!!!",
                    honeypot="filled", banned=("casino",), recent_bodies=("x",))
    assert verdict.spam
    assert verdict.reasons
    for reason in verdict.reasons:
        assert isinstance(reason, str)
        assert reason == reason.strip() and reason
        assert len(reason) <= 60
        assert "\n" not in reason


def test_the_filter_answers_through_the_hook():
    manager = pluggy.PluginManager("storefront")
    manager.add_hookspecs(hookspecs)
    manager.register(plugins.spam)
    verdicts = manager.hook.moderation_verdict(
        submission=submission(honeypot="x"), settings=ModerationSettings())
    assert [v.spam for v in verdicts] == [True]
