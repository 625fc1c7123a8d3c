"""The eval harness: prompt versions x models over expert-labelled fixtures, through the service's own path.

`fixtures` loads and validates cases, `execute` runs them through `service.coach.Coach`, `metrics` scores
one run, `compare` pairs runs, `stats` holds the statistics, `gates` checks the config, `report` writes
Markdown and HTML, and `run` is the `coach eval` command.
"""
