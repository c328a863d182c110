"""``django.contrib.staticfiles`` without viewflow's own front end.

viewflow ships 49 MB of static files (its Material front end: fonts and JavaScript) that sealflow
never serves: the flows run behind sealflow's own pages and viewflow's views are not mounted.
Compressing them cost about 1.5 minutes of CPU on every ``collectstatic``, that is on every start
of the run command, on a fresh data folder. Django's documented way to leave files out of
``collectstatic`` is an app config with more ``ignore_patterns``; a pattern that names a
directory leaves out everything below it.
"""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig


class SealflowStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "viewflow"]
