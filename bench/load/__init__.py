"""The mixed-load test (issue 19): Locust users against the product as ``bin/sealflow run`` starts it.

``python -m bench.load`` (see ``run.py``) starts the launcher on a temporary data folder, prepares what
the demo data lacks, runs Locust headless and checks the database afterwards. Figures: bench/README.md.
"""
