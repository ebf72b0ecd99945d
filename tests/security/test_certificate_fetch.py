"""Issue 12, section 1: nothing an unsigned request sends can make the server fetch more,
hold a worker longer, or keep more than a bounded amount, through a real server whose
fetcher reaches a fake S3 on loopback.

Each test is one probe from the issue; the figure it measured is in its docstring.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from skill.cert_cache import SigningKeyCache, cache_file_name
from skill.cert_fetch import FetchError
from skill.cert_url import parse_cert_url
from skill.verify import VerificationException, load_trust_store
from tests.conftest import EVENING
from tests.envelopes import dumps
from tests.security.conftest import CHAIN_PATH, Served
from tests.security.fake_s3 import FakeS3
from tests.signing import CERT_URL, TestAuthority, pem

S3 = "https://s3.amazonaws.com"
NEW_URL = f"{S3}/echo.api/never-seen-before.pem"


def test_a_stale_request_costs_no_fetch(served: Served, fake_s3: FakeS3) -> None:
    """Measured before: a stale timestamp still fetched a new SignatureCertChainUrl."""
    device = served.device()
    stale = device.launch()
    served.clock.advance(timedelta(minutes=10))
    for _ in range(30):
        status, answer = served.signed(stale, url=NEW_URL)
        assert status == 400 and "timestamp" in answer["detail"]
    assert fake_s3.fetches() == 0


def test_a_request_for_another_skill_costs_no_fetch(served: Served, fake_s3: FakeS3) -> None:
    """Measured before: another skill's id still fetched a new SignatureCertChainUrl."""
    stranger = served.device(skill_id="amzn1.ask.skill.someone-else")
    for _ in range(30):
        status, answer = served.signed(stranger.launch(), url=NEW_URL)
        assert status == 400 and "another skill" in answer["detail"]
    assert fake_s3.fetches() == 0


def test_a_bad_signature_header_costs_no_fetch(served: Served, fake_s3: FakeS3) -> None:
    body = dumps(served.device().launch())
    headers = {**served.authority.sign(body, url=NEW_URL), "Signature-256": "not base64!"}
    assert served.post(body, headers)[0] == 400
    assert fake_s3.fetches() == 0


def test_a_flood_naming_a_missing_chain_costs_one_fetch(served: Served, fake_s3: FakeS3
                                                       ) -> None:
    """Measured before: 30 requests naming a missing chain, 30 fetches."""
    device = served.device()
    for _ in range(30):
        assert served.signed(device.launch(), url=NEW_URL)[0] == 400
    assert fake_s3.counts["/echo.api/never-seen-before.pem"] == 1
    assert served.cached_files() == []


@pytest.mark.parametrize("suffix", ["?v={n}", "#{n}", "?x={n}#y"])
def test_query_and_fragment_variants_cost_no_fetch_and_no_file(
    served: Served, fake_s3: FakeS3, suffix: str
) -> None:
    """Measured before: 600 junk variants of the real URL, 600 fetches and 600 files."""
    device = served.device()
    for n in range(200):
        url = CERT_URL + suffix.format(n=n)
        status, answer = served.signed(device.launch(), url=url)
        assert status == 400 and "query or a fragment" in answer["detail"]
    assert fake_s3.fetches() == 0
    assert served.cached_files() == []


@pytest.mark.parametrize("url", [
    f"{S3}/echo.api%2F..%2Fother/x.pem",
    f"{S3}/echo.api/%2e%2e/other/x.pem",
    f"{S3}/echo.api/echo-api-cert-porchlight-%74est.pem",
    "https://user@s3.amazonaws.com/echo.api/x.pem",
    "https://user:secret@s3.amazonaws.com/echo.api/x.pem",
    f"{S3}/echo.api\\..\\other\\x.pem",
    f"{S3}/echo.api/x y.pem",
    f"{S3}/echo.api/",
])
def test_urls_that_hide_their_target_are_refused_without_a_fetch(
    served: Served, fake_s3: FakeS3, url: str
) -> None:
    assert served.signed(served.device().launch(), url=url)[0] == 400
    assert fake_s3.fetches() == 0


def test_variants_of_the_real_url_share_one_fetch_and_one_file(served: Served,
                                                               fake_s3: FakeS3) -> None:
    """The URL that was checked is the URL that is fetched: its canonical form."""
    device = served.device()
    for url in (CERT_URL, CERT_URL.replace("s3.amazonaws.com", "S3.AmazonAWS.com:443"),
                CERT_URL.replace("/echo.api/", "/echo.api/../echo.api/./")):
        assert served.signed(device.launch(), url=url)[0] == 200
    assert fake_s3.counts == {CHAIN_PATH: 1}
    assert len(served.cached_files()) == 1


def test_a_redirect_is_not_followed(served: Served, fake_s3: FakeS3) -> None:
    """Measured before: a redirect from S3 was followed to any host or scheme."""
    fake_s3.redirects["/echo.api/moved.pem"] = "/echo.api/elsewhere.pem"
    fake_s3.chains["/echo.api/elsewhere.pem"] = fake_s3.chains[CHAIN_PATH]
    status, _ = served.signed(served.device().launch(), url=f"{S3}/echo.api/moved.pem")
    assert status == 400
    assert fake_s3.counts["/echo.api/moved.pem"] == 1
    assert fake_s3.counts["/echo.api/elsewhere.pem"] == 0


def test_an_upstream_that_drips_is_cut_at_the_total_deadline(fake_s3: FakeS3) -> None:
    """Measured before: one byte a second held the request as long as the upstream liked
    (the timeout applied per read). The deadline is for the whole exchange."""
    fake_s3.drips.add("/echo.api/drip.pem")
    fetch = fake_s3.fetcher(deadline_seconds=0.5)
    with pytest.raises(FetchError, match="deadline"):
        fetch(parse_cert_url(f"{S3}/echo.api/drip.pem"))


def test_a_chain_over_64_kib_is_refused(fake_s3: FakeS3) -> None:
    fake_s3.chains["/echo.api/huge.pem"] = b"A" * (64 * 1024 + 1)
    with pytest.raises(FetchError, match="too large"):
        fake_s3.fetcher()(parse_cert_url(f"{S3}/echo.api/huge.pem"))


def test_the_fetcher_gets_a_real_chain_over_tls(fake_s3: FakeS3) -> None:
    assert fake_s3.fetcher()(parse_cert_url(CERT_URL)) == fake_s3.chains[CHAIN_PATH]


def test_concurrent_requests_for_one_url_share_one_fetch_and_others_are_not_held(
    served: Served, fake_s3: FakeS3
) -> None:
    """One fetch in flight per URL (others wait for it), and no lock held across the
    network: while that fetch hangs, a request with a cached chain is answered."""
    served.signed(served.device().launch())  # CERT_URL's chain is now known
    fake_s3.hangs.add("/echo.api/hangs.pem")
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(
        served.signed(served.device().launch(), url=f"{S3}/echo.api/hangs.pem")[0]))
        for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        assert served.signed(served.device().launch())[0] == 200
    finally:
        fake_s3.released.set()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [400] * 4
    assert fake_s3.counts["/echo.api/hangs.pem"] == 1


def test_the_cache_folder_keeps_only_validated_chains_and_at_most_eight(
    served: Served, fake_s3: FakeS3
) -> None:
    device = served.device()
    for n in range(12):
        fake_s3.chains[f"/echo.api/cert-{n}.pem"] = fake_s3.chains[CHAIN_PATH]
        assert served.signed(device.launch(), url=f"{S3}/echo.api/cert-{n}.pem")[0] == 200
    fake_s3.chains["/echo.api/broken.pem"] = b"-----BEGIN CERTIFICATE-----\nAAAA\n"
    assert served.signed(device.launch(), url=f"{S3}/echo.api/broken.pem")[0] == 400
    files = served.cached_files()
    assert len(files) == 8
    assert all(path.suffix == ".pem" for path in files)  # no temporary file left behind
    assert {path.read_bytes() for path in files} == {fake_s3.chains[CHAIN_PATH]}


def test_a_cached_file_that_does_not_validate_is_fetched_once_and_replaced(
    served: Served, fake_s3: FakeS3, authority: TestAuthority
) -> None:
    served.cert_dir.mkdir(parents=True, exist_ok=True)
    spoiled = served.cert_dir / cache_file_name(CERT_URL)
    spoiled.write_bytes(b"half a chain")
    device = served.device()
    for _ in range(3):
        assert served.signed(device.launch())[0] == 200
    assert fake_s3.counts[CHAIN_PATH] == 1
    assert spoiled.read_bytes() == pem(authority.leaf, authority.intermediate)


def test_the_key_cache_in_memory_is_a_small_lru(authority: TestAuthority, fake_s3: FakeS3
                                                ) -> None:
    """Without a folder, the first of 17 URLs has dropped out of memory and is fetched
    again; the most recent one has not."""
    keys = SigningKeyCache(load_trust_store(str(authority.ca_bundle)), lambda: EVENING,
                           fetch=fake_s3.fetcher(), max_keys=16)
    urls = [f"{S3}/echo.api/lru-{n}.pem" for n in range(17)]
    for url in urls:
        fake_s3.chains[parse_cert_url(url).path] = fake_s3.chains[CHAIN_PATH]
        keys.key_for(url)
    keys.key_for(urls[-1])
    keys.key_for(urls[0])
    assert fake_s3.counts["/echo.api/lru-16.pem"] == 1
    assert fake_s3.counts["/echo.api/lru-0.pem"] == 2


def test_a_failed_url_is_tried_again_after_the_back_off(authority: TestAuthority,
                                                        fake_s3: FakeS3, tmp_path: Path
                                                        ) -> None:
    now = [0.0]
    keys = SigningKeyCache(load_trust_store(str(authority.ca_bundle)), lambda: EVENING,
                           cache_dir=str(tmp_path / "certs"), fetch=fake_s3.fetcher(),
                           backoff_seconds=60, monotonic=lambda: now[0])
    url = f"{S3}/echo.api/later.pem"
    for _ in range(5):
        with pytest.raises(VerificationException, match="could not fetch"):
            keys.key_for(url)
    assert fake_s3.counts["/echo.api/later.pem"] == 1
    fake_s3.chains["/echo.api/later.pem"] = fake_s3.chains[CHAIN_PATH]
    now[0] = 61.0
    keys.key_for(url)
    assert fake_s3.counts["/echo.api/later.pem"] == 2


def test_at_most_four_fetches_at_once_and_a_busy_refusal_is_not_held_against_the_url(
    authority: TestAuthority, fake_s3: FakeS3, tmp_path: Path
) -> None:
    # A long deadline: the four hanging fetches must hold their slots until released.
    keys = SigningKeyCache(load_trust_store(str(authority.ca_bundle)), lambda: EVENING,
                           cache_dir=str(tmp_path / "certs"),
                           fetch=fake_s3.fetcher(deadline_seconds=60))
    hanging = [f"{S3}/echo.api/hang-{n}.pem" for n in range(4)]
    for url in hanging:
        fake_s3.hangs.add(parse_cert_url(url).path)
    refused: list[str] = []

    def ask(url: str) -> None:
        try:
            keys.key_for(url)
        except VerificationException as error:
            refused.append(str(error))

    threads = [threading.Thread(target=ask, args=(url,)) for url in hanging]
    for thread in threads:
        thread.start()
    for _ in range(3000):  # every slot is taken once S3 has seen four requests
        if fake_s3.fetches() == 4:
            break
        threading.Event().wait(0.01)
    assert fake_s3.fetches() == 4
    with pytest.raises(VerificationException, match="too many certificate fetches"):
        keys.key_for(CERT_URL)
    assert fake_s3.counts[CHAIN_PATH] == 0
    fake_s3.released.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(refused) == 4  # released into a 404 each
    keys.key_for(CERT_URL)  # not backing off: the refusal was about the moment, not the URL
    assert fake_s3.counts[CHAIN_PATH] == 1
