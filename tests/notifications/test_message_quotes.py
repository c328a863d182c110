"""A title that carries its own quotes is not wrapped in doubled ones (““红色义工…): the inner
quotes turn single, as GB/T 15834 writes a quote inside a quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from notifications.templatetags.notification_text import quoted

TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "notifications").glob("*.txt"))
TITLE = "“红色义工”志愿服务项目"


def test_quoted_nests_inner_quotes():
    assert quoted(TITLE) == "“‘红色义工’志愿服务项目”"
    assert quoted("社区微服务") == "“社区微服务”"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_message_doubles_its_quotes(path: Path):
    names = set(re.findall(r"\{\{ ?(\w+)", path.read_text()))
    context = dict.fromkeys(names, TITLE)
    text = render_to_string(f"notifications/{path.name}", context)
    assert "““" not in text
    assert "””" not in text
