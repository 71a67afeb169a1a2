"""Link targets reduced to the document they name, references recognised, e-mail decoded."""

from __future__ import annotations

import pytest

from tracker.text.links import cloudflare_email, cloudflare_href, document, names_a_document

SAME_DOCUMENT = [
    ("scheme", "http://a.cn/terms", "https://a.cn/terms"),
    ("www", "https://www.a.cn/terms", "https://a.cn/terms"),
    ("trailing-slash", "https://a.cn/terms/", "https://a.cn/terms"),
    ("default-port", "https://a.cn:443/terms", "https://a.cn/terms"),
    ("http-default-port", "http://a.cn:80/terms", "https://a.cn/terms"),
    ("fragment", "https://a.cn/terms#s3", "https://a.cn/terms"),
    ("host-case", "https://A.CN/terms", "https://a.cn/terms"),
    ("utm", "https://a.cn/terms?utm_source=x&utm_medium=y", "https://a.cn/terms"),
    ("click-ids", "https://a.cn/terms?gclid=1&fbclid=2&msclkid=3", "https://a.cn/terms"),
    ("locale", "https://a.cn/terms?hl=en&gl=US&lang=zh_CN", "https://a.cn/terms"),
    ("param-order", "https://a.cn/t?b=2&a=1", "https://a.cn/t?a=1&b=2"),
    ("double-slash", "https://a.cn//terms", "https://a.cn/terms"),
    ("index-file", "https://a.cn/terms/index.html", "https://a.cn/terms"),
    ("percent-encoding", "https://a.cn/%E5%8D%8F%E8%AE%AE", "https://a.cn/协议"),
    ("mailto-case", "mailto:Legal@A.cn", "mailto:legal@a.cn"),
]

OTHER_DOCUMENT = [
    ("path", "https://a.cn/terms", "https://a.cn/privacy"),
    ("host", "https://a.cn/terms", "https://b.cn/terms"),
    ("subdomain", "https://cloud.a.cn/terms", "https://a.cn/terms"),
    ("document-parameter", "https://a.cn/t?id=1", "https://a.cn/t?id=2"),
    ("port", "https://a.cn:8443/terms", "https://a.cn/terms"),
    ("mailto", "mailto:legal@a.cn", "mailto:privacy@a.cn"),
]


@pytest.mark.parametrize(
    ("a", "b"), [c[1:] for c in SAME_DOCUMENT], ids=[c[0] for c in SAME_DOCUMENT]
)
def test_same_document(a, b):
    assert document(a) == document(b)


@pytest.mark.parametrize(
    ("a", "b"), [c[1:] for c in OTHER_DOCUMENT], ids=[c[0] for c in OTHER_DOCUMENT]
)
def test_other_document(a, b):
    assert document(a) != document(b)


@pytest.mark.parametrize(
    ("words", "names"),
    [
        ("《腾讯云服务协议》", True),
        ("腾讯云服务协议", True),
        ("QQ号码规则", True),
        ("隐私政策", True),
        ("服务条款", True),
        ("法律声明", True),
        ("《儿童个人信息保护指引》", True),
        ("Privacy Policy", True),
        ("Terms of Service", True),
        ("Cookie Notice", True),
        ("Acceptable Use Policies", True),
        ("General Terms and Conditions", True),
        ("here", False),
        ("点击这里", False),
        ("帮助文档", False),
        ("www.romeo.com", False),
        ("legal@example.com", False),
        ("Determine", False),  # "terms" only as a word
        ("Policyholder", False),
    ],
)
def test_names_a_document(words, names):
    assert names_a_document(words) is names


def test_cloudflare_email_is_decoded():
    assert cloudflare_email("5a363f3d3b361a3f223b372a363f74393537") == "legal@example.com"
    assert cloudflare_href("/cdn-cgi/l/email-protection#5a363f3d3b361a3f223b372a363f74393537") == (
        "mailto:legal@example.com"
    )
    # Without an address the link leads nowhere: its words are what a reader gets.
    assert cloudflare_href("/cdn-cgi/l/email-protection") == ""
    assert cloudflare_href("https://a.cn/terms") is None


@pytest.mark.parametrize("encoded", ["", "zz", "5a", "5a36ff"])
def test_damaged_cloudflare_data_decodes_to_nothing(encoded):
    assert cloudflare_email(encoded) is None
